/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo in a JVM of its own ({@code java -cp <this classpath> SwarmMain args}), its output in a
 * file. A shell watchdog ends it with -9 if this JVM goes away, so none outlives the test run.
 */
final class SwarmProcess implements AutoCloseable {

  final String name;
  private final Path output;
  private final Process shell;
  private final ProcessHandle java;

  private SwarmProcess(String name, Path output, Process shell, ProcessHandle java) {
    this.name = name;
    this.output = output;
    this.shell = shell;
    this.java = java;
  }

  /**
   * Starts {@code SwarmMain} with {@code args}; its stdout and stderr go to {@code dir/name.log}.
   */
  static SwarmProcess start(Path dir, String name, List<String> args) throws Exception {
    return start(dir, name, args, Map.of());
  }

  /** {@link #start(Path, String, List)} with {@code env} added to its environment. */
  static SwarmProcess start(Path dir, String name, List<String> args, Map<String, String> env)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-cp"));
    command.add(System.getProperty("java.class.path"));
    command.add(SwarmMain.class.getName());
    command.addAll(args);
    StringBuilder script = new StringBuilder();
    for (String part : command) {
      script.append('\'').append(part.replace("'", "'\\''")).append("' ");
    }
    script
        .append("& p=$!; while kill -0 ")
        .append(ProcessHandle.current().pid())
        .append(" 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 0.2; done;")
        .append(" kill -9 $p 2>/dev/null; wait $p; exit $?");
    Path output = dir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", script.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_"));
    builder.environment().putAll(env);
    Process shell = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      ProcessHandle java =
          shell
              .children()
              .filter(c -> c.info().command().orElse("").endsWith(File.separator + "java"))
              .findFirst()
              .orElse(null);
      if (java != null) {
        return new SwarmProcess(name, output, shell, java);
      }
      if (!shell.isAlive() || System.nanoTime() > deadline) {
        shell.destroyForcibly();
        throw new IllegalStateException(name + " did not start: " + Files.readString(output));
      }
      Thread.sleep(10);
    }
  }

  /** Everything it printed so far. */
  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  boolean alive() {
    return java.isAlive();
  }

  /** {@code kill -9}: no shutdown hook, no goodbye to the broker. */
  void kill() throws Exception {
    java.destroyForcibly();
    java.onExit().get(10, TimeUnit.SECONDS);
  }

  /** Asks it to stop (SIGTERM, as Ctrl-C would) and returns its exit code. */
  int stop(Duration timeout) throws Exception {
    java.destroy();
    return awaitExit(timeout);
  }

  /** Waits for it to end; its exit code, or {@code -1} (and it is killed) when it did not. */
  int awaitExit(Duration timeout) throws Exception {
    if (!shell.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      close();
      return -1;
    }
    return shell.exitValue();
  }

  /** The last {@code lines} lines of its output, for a failure message. */
  String tail(int lines) {
    List<String> all = output().lines().toList();
    return name
        + ":\n"
        + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public void close() throws Exception {
    if (java.isAlive()) {
      java.destroyForcibly();
      java.onExit().get(10, TimeUnit.SECONDS);
    }
    shell.waitFor(10, TimeUnit.SECONDS);
  }
}
