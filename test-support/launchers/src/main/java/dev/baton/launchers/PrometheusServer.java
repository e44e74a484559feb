/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A real Prometheus server ({@link PrometheusTools#prometheus()}) on a random loopback port with a
 * temporary storage directory, for tests: started with a configuration file's text and extra flags
 * (say {@code --enable-feature=exemplar-storage}), stopped by its PID. A {@code sh} watchdog kills
 * it when this JVM is gone.
 */
public final class PrometheusServer implements AutoCloseable {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path dir;
  private final int port;
  private final Process watchdog;
  private final long pid;

  private PrometheusServer(Path dir, int port, Process watchdog, long pid) {
    this.dir = dir;
    this.port = port;
    this.watchdog = watchdog;
    this.pid = pid;
  }

  /**
   * Starts Prometheus with {@code config} (the text of {@code prometheus.yml}) and {@code flags};
   * returns once its process runs (its first scrape comes about 5 s later: see {@link
   * #awaitTargetsUp}).
   *
   * @param config the configuration text
   * @param flags further command-line flags
   * @return the running server; close it to stop it
   * @throws Exception when Prometheus cannot be found or started
   */
  public static PrometheusServer start(String config, String... flags) throws Exception {
    Path dir = Files.createTempDirectory("baton-prometheus-");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path configFile = dir.resolve("prometheus.yml");
    Files.writeString(configFile, config, StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>();
    command.add(quote(PrometheusTools.prometheus()));
    command.add("--config.file=" + quote(configFile.toString()));
    command.add("--storage.tsdb.path=" + quote(dir.resolve("data").toString()));
    command.add("--web.listen-address=127.0.0.1:" + port);
    for (String flag : flags) {
      command.add(quote(flag));
    }
    Path pidFile = dir.resolve("pid");
    long jvm = ProcessHandle.current().pid();
    String script =
        String.join(" ", command)
            + " > "
            + quote(dir.resolve("prometheus.log").toString())
            + " 2>&1 & p=$!; echo $p > "
            + quote(pidFile.toString())
            + "; while kill -0 "
            + jvm
            + " 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 0.5; done;"
            + " kill -9 $p 2>/dev/null; wait $p 2>/dev/null; exit 0";
    Process watchdog = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      if (System.nanoTime() > deadline) {
        watchdog.destroyForcibly();
        throw new IllegalStateException("prometheus did not start within 15 s");
      }
      Thread.sleep(10);
    }
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    return new PrometheusServer(dir, port, watchdog, pid);
  }

  /** {@return the HTTP port on 127.0.0.1} */
  public int port() {
    return port;
  }

  /**
   * GETs {@code pathAndQuery} (say {@code /api/v1/targets}) and returns the body.
   *
   * @param pathAndQuery the path, with a query string if any
   * @return the answer's body
   * @throws IOException when the request fails
   * @throws InterruptedException when interrupted while waiting
   */
  public String get(String pathAndQuery) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(Duration.ofSeconds(5))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * {@return {@code name=value} for a query string, the value URL-encoded}
   *
   * @param name the parameter's name
   * @param value its value, not yet encoded
   */
  public static String param(String name, String value) {
    return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * Waits until every scrape target is up; throws with the targets and the log if not.
   *
   * @param timeout the longest to wait
   * @throws Exception when a target is not up in time
   */
  public void awaitTargetsUp(Duration timeout) throws Exception {
    await(
        "/api/v1/targets",
        body -> body.contains("\"health\":\"up\"") && !body.contains("\"health\":\"down\""),
        timeout);
  }

  /**
   * GETs {@code pathAndQuery} (made afresh each time, so it may carry the time) until its answer is
   * {@code accepted}, and returns that answer; throws with the last answer and the log after {@code
   * timeout}.
   *
   * @param pathAndQuery makes the path and query string for each try
   * @param accepted whether an answer is the one awaited
   * @param timeout the longest to wait
   * @return the accepted answer
   * @throws InterruptedException when interrupted while waiting
   */
  public String await(Supplier<String> pathAndQuery, Predicate<String> accepted, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (true) {
      try {
        last = get(pathAndQuery.get());
        if (accepted.test(last)) {
          return last;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no accepted answer to "
                + pathAndQuery.get()
                + " within "
                + timeout
                + ": "
                + last
                + "\n"
                + log());
      }
      Thread.sleep(100);
    }
  }

  /**
   * {@link #await(Supplier, Predicate, Duration)} for a fixed {@code pathAndQuery}.
   *
   * @param pathAndQuery the path, with a query string if any
   * @param accepted whether an answer is the one awaited
   * @param timeout the longest to wait
   * @return the accepted answer
   * @throws InterruptedException when interrupted while waiting
   */
  public String await(String pathAndQuery, Predicate<String> accepted, Duration timeout)
      throws InterruptedException {
    return await(() -> pathAndQuery, accepted, timeout);
  }

  /** {@return what Prometheus logged so far} */
  public String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Stops Prometheus (TERM, then KILL after 10 s) and deletes its directory. */
  @Override
  public void close() throws Exception {
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              p.destroy();
              try {
                p.onExit().get(10, TimeUnit.SECONDS);
              } catch (Exception e) {
                p.destroyForcibly();
              }
            });
    watchdog.waitFor(10, TimeUnit.SECONDS);
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
