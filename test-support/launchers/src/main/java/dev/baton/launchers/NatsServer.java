/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real {@code nats-server} with JetStream, started from the binary ({@code NATS_SERVER_BIN}, else
 * {@code /usr/sbin/nats-server}): random loopback ports, a temporary store directory, stopped by
 * its PID. It can be killed ({@code SIGKILL}) and restarted on the same ports and store. A {@code
 * sh} watchdog kills the server when this JVM is gone, even after a {@code SIGKILL} of the JVM,
 * when no shutdown hook runs. Never touches a NATS service the machine runs itself.
 */
public final class NatsServer implements AutoCloseable {

  private static final String BINARY =
      Optional.ofNullable(System.getenv("NATS_SERVER_BIN")).orElse("/usr/sbin/nats-server");
  private static final Pattern PORT = Pattern.compile("://[^:\"]+:(\\d+)");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

  private Path dir;
  private int port;
  private int monitorPort;
  private Process watchdog;
  private long pid = -1;
  private List<String> memberArgs = List.of();
  private String config;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private NatsServer() {}

  /**
   * Starts a server on random loopback ports and waits until it reports healthy.
   *
   * @return the running server; close it to stop it and delete its directory
   * @throws Exception when the server does not start or get healthy in time
   */
  public static NatsServer start() throws Exception {
    return startWith(null);
  }

  /**
   * Starts a server with {@code config}, the text of a nats-server configuration file (TLS,
   * authorization, accounts and permissions, in nats-server's own syntax), on random loopback
   * ports, and waits until it reports healthy. The command line sets the ports, the store and the
   * log; the file sets the rest. Its monitoring port stays plain HTTP on loopback.
   *
   * @param config the configuration, without the listen and store settings the launcher adds
   * @return the running server; close it to stop it and delete its directory
   * @throws Exception when the server does not start or get healthy in time
   */
  public static NatsServer start(String config) throws Exception {
    return startWith(Objects.requireNonNull(config, "config"));
  }

  private static NatsServer startWith(String config) throws Exception {
    NatsServer server = new NatsServer();
    server.config = config;
    try {
      server.startFresh();
    } catch (Exception e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void startFresh() throws Exception {
    dir = Files.createTempDirectory("baton-nats-");
    if (config != null) {
      Files.writeString(dir.resolve("server.conf"), config, StandardCharsets.UTF_8);
    }
    launch("-p", "-1", "-m", "-1", "--ports_file_dir", dir.toString());
    Path portsFile = awaitPortsFile();
    String ports = Files.readString(portsFile, StandardCharsets.UTF_8);
    Matcher m = PORT.matcher(ports);
    if (!m.find()) {
      throw new IllegalStateException("no client port in " + ports);
    }
    port = Integer.parseInt(m.group(1));
    if (!m.find()) {
      throw new IllegalStateException("no monitoring port in " + ports);
    }
    monitorPort = Integer.parseInt(m.group(1));
    awaitHealthy();
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and deletes its directory. */
  @Override
  public void close() throws Exception {
    stop();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** {@return the client URL, {@code nats://127.0.0.1:PORT}} */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** {@return the temporary directory holding the store and the log} */
  public Path directory() {
    return dir;
  }

  /** {@return the server's PID, or -1 when it is not running} */
  public long pid() {
    return pid;
  }

  /**
   * Starts a stopped server of {@link #start(String)} again on the same ports and store with a new
   * configuration, say to grant or revoke a permission. (nats-server 2.9.10 can reload one on
   * {@code SIGHUP}, but measured here its JetStream API then answers no request, from old or new
   * connections alike, so a restart it is.)
   *
   * @param newConfig the new configuration, as for {@link #start(String)}
   * @throws Exception when the server does not start or get healthy in time
   */
  public void restart(String newConfig) throws Exception {
    if (config == null) {
      throw new IllegalStateException("the server was started without a configuration file");
    }
    config = Objects.requireNonNull(newConfig, "newConfig");
    Files.writeString(dir.resolve("server.conf"), config, StandardCharsets.UTF_8);
    restart();
  }

  /**
   * Kills the server with {@code SIGKILL} and waits until it is gone.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void kill() throws InterruptedException {
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              p.destroyForcibly();
              p.onExit().join();
            });
    pid = -1;
    if (watchdog != null) {
      watchdog.waitFor();
    }
  }

  /**
   * Starts the server again on the same ports and store directory and waits until healthy.
   *
   * @throws Exception when the server does not start or get healthy in time
   */
  public void restart() throws Exception {
    if (pid > 0) {
      throw new IllegalStateException("the server is running");
    }
    launch("-p", Integer.toString(port), "-m", Integer.toString(monitorPort));
    awaitHealthy();
  }

  /**
   * Launches a cluster member on the given ports with {@code memberArgs} (name, cluster, routes),
   * without waiting: a JetStream cluster is healthy only once a quorum of its members runs. See
   * {@link NatsCluster}.
   */
  static NatsServer launchMember(int port, int monitorPort, List<String> memberArgs)
      throws Exception {
    NatsServer server = new NatsServer();
    server.memberArgs = List.copyOf(memberArgs);
    server.port = port;
    server.monitorPort = monitorPort;
    try {
      server.dir = Files.createTempDirectory("baton-nats-");
      server.launch("-p", Integer.toString(port), "-m", Integer.toString(monitorPort));
    } catch (Exception e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Waits until the server's {@code /healthz} answers 200 (JetStream current included). */
  void awaitReady() throws InterruptedException {
    awaitHealthy();
  }

  /** {@return the monitoring port ({@code /varz}, {@code /jsz}, {@code /healthz})} */
  public int monitorPort() {
    return monitorPort;
  }

  private void stop() throws InterruptedException {
    if (pid > 0) {
      ProcessHandle.of(pid).ifPresent(NatsServer::terminate);
      pid = -1;
    }
    if (watchdog != null) {
      watchdog.waitFor();
    }
  }

  private static void terminate(ProcessHandle process) {
    process.destroy();
    try {
      process.onExit().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      process.onExit().join();
    }
  }

  private void launch(String... portArgs) throws IOException, InterruptedException {
    Path pidFile = dir.resolve("server.pid");
    Files.deleteIfExists(pidFile);
    StringBuilder command = new StringBuilder("'").append(BINARY).append("'");
    if (config != null) {
      command.append(" -c '").append(dir.resolve("server.conf")).append("'");
    }
    command.append(" -js -a 127.0.0.1");
    command.append(" -sd '").append(dir.resolve("store")).append("'");
    command.append(" -l '").append(dir.resolve("server.log")).append("'");
    command.append(" -P '").append(pidFile).append("'");
    for (String arg : portArgs) {
      command.append(' ').append(arg);
    }
    for (String arg : memberArgs) {
      command.append(" '").append(arg).append("'");
    }
    long jvm = ProcessHandle.current().pid();
    // The watchdog: runs the server, and kills it once the JVM is gone.
    String script =
        command
            + " & srv=$!; while kill -0 "
            + jvm
            + " 2>/dev/null && kill -0 $srv 2>/dev/null; do sleep 0.5; done; kill -9 $srv 2>/dev/null; wait $srv 2>/dev/null; exit 0";
    watchdog =
        new ProcessBuilder("sh", "-c", script)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("watchdog.log").toFile())
            .start();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      if (System.nanoTime() > deadline || !watchdog.isAlive()) {
        throw new IllegalStateException(
            "nats-server did not start; log: " + readLog() + " watchdog: " + watchdog.isAlive());
      }
      Thread.sleep(5);
    }
    pid = Long.parseLong(Files.readString(pidFile).trim());
  }

  private Path awaitPortsFile() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(dir)) {
        List<Path> ports = files.filter(p -> p.toString().endsWith(".ports")).toList();
        if (!ports.isEmpty() && Files.size(ports.get(0)) > 0) {
          return ports.get(0);
        }
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("nats-server wrote no ports file; log: " + readLog());
  }

  private void awaitHealthy() throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitorPort + "/healthz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("nats-server not healthy in time; log: " + readLog());
  }

  private String readLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
