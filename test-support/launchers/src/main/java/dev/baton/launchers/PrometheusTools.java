/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds Prometheus' {@code promtool} and {@code prometheus} for the tests: {@code PROMTOOL_BIN} /
 * {@code PROMETHEUS_BIN}, else on the {@code PATH}, else fetched once from Debian's {@code
 * prometheus} package into {@code ~/.cache/baton/prometheus} with {@code apt-get download} and
 * {@code dpkg-deb -x}: nothing is installed, no root is needed, and the build says so while it does
 * it. So {@code mvn -B verify} runs on a fresh machine of this kind with only Java and Maven.
 */
public final class PrometheusTools {

  private static final Path CACHE =
      Path.of(System.getProperty("user.home"), ".cache", "baton", "prometheus");

  private PrometheusTools() {}

  /**
   * {@return the {@code promtool} to run}
   *
   * @throws IOException when the package cannot be fetched or unpacked
   * @throws InterruptedException when interrupted while fetching
   */
  public static String promtool() throws IOException, InterruptedException {
    return find("PROMTOOL_BIN", "promtool");
  }

  /**
   * {@return the {@code prometheus} server to run}
   *
   * @throws IOException when the package cannot be fetched or unpacked
   * @throws InterruptedException when interrupted while fetching
   */
  public static String prometheus() throws IOException, InterruptedException {
    return find("PROMETHEUS_BIN", "prometheus");
  }

  /**
   * Runs promtool with {@code args}: its output, and whether it exited 0.
   *
   * @param args promtool's arguments
   * @return what promtool printed, and whether it exited 0
   * @throws IOException when promtool cannot be fetched or run
   * @throws InterruptedException when interrupted while it runs
   */
  public static Result promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(promtool()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(out + "\n(promtool did not finish in 60 s)", false);
    }
    return new Result(out, process.exitValue() == 0);
  }

  /** What a promtool run printed and whether it succeeded. */
  public record Result(String output, boolean ok) {}

  private static synchronized String find(String variable, String name)
      throws IOException, InterruptedException {
    String configured = System.getenv(variable);
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    Path fetched = CACHE.resolve("root/usr/bin").resolve(name);
    if (!Files.isExecutable(fetched)) {
      fetch();
    }
    if (!Files.isExecutable(fetched)) {
      throw new IllegalStateException(
          name + " is not on the PATH and could not be fetched into " + CACHE + "; see above");
    }
    return fetched.toString();
  }

  /** apt-get download prometheus, with a private package list if the system has none. */
  private static void fetch() throws IOException, InterruptedException {
    System.err.println(
        "[baton tests] promtool/prometheus are not on the PATH: fetching Debian's prometheus"
            + " package into "
            + CACHE
            + " (apt-get download, dpkg-deb -x; nothing is installed)");
    Files.createDirectories(CACHE.resolve("lists/partial"));
    Files.createDirectories(CACHE.resolve("archives/partial"));
    if (!run(CACHE, "apt-get", "download", "prometheus")) {
      String lists = "-oDir::State::Lists=" + CACHE.resolve("lists");
      String archives = "-oDir::Cache::Archives=" + CACHE.resolve("archives");
      if (!run(CACHE, "apt-get", "-q", lists, archives, "update")
          || !run(CACHE, "apt-get", lists, archives, "download", "prometheus")) {
        return;
      }
    }
    Path deb;
    try (Stream<Path> files = Files.list(CACHE)) {
      deb =
          files
              .filter(p -> p.getFileName().toString().matches("prometheus_.*\\.deb"))
              .findFirst()
              .orElse(null);
    }
    if (deb != null) {
      run(CACHE, "dpkg-deb", "-x", deb.toString(), CACHE.resolve("root").toString());
    }
  }

  private static boolean run(Path dir, String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean ok = process.waitFor(300, TimeUnit.SECONDS) && process.exitValue() == 0;
    if (!ok) {
      System.err.println("[baton tests] " + String.join(" ", command) + " failed:\n" + out.strip());
    }
    return ok;
  }
}
