/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.lag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.transport.internal.BatonVersion;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar target/baton-lag.jar} as a user runs it, in a process of its own (after {@code
 * package}, hence a failsafe test): its version, its help, an exit code and a message for each kind
 * of bad command line, and a real run on a nats-server of its own: {@code /metrics} shows a
 * consumer STALLED while its client holds its position as messages arrive, {@code /health} answers,
 * and SIGTERM stops it.
 */
class LagJarIT {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @TempDir Path dir;

  /** A finished run of the jar. */
  private record Run(int exit, String out, String err) {}

  private static File jar() {
    File jar = new File("target/baton-lag.jar");
    assertThat(jar).as("the shaded jar, built by `package`").exists();
    return jar;
  }

  private static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().getPath());
    command.addAll(List.of(args));
    return command;
  }

  private Run run(String... args) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process =
        new ProcessBuilder(command(args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void versionAndHelp() throws Exception {
    Run version = run("--version");
    assertThat(version.exit()).isZero();
    assertThat(version.out().strip()).isEqualTo("baton-lag " + BatonVersion.get());
    assertThat(BatonVersion.get()).as("stamped by the build").matches("\\d+\\.\\d+\\.\\d+.*");

    Run help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: java -jar baton-lag.jar").contains("--stall-after");
    assertThat(help.err()).isEmpty();
  }

  @Test
  void aBadCommandLineExitsTwoAndSaysWhatToChange() throws Exception {
    String[][] cases = {
      {"", "give --nats URL, --kafka HOST:PORT or both; see --help"},
      {"--nats", "--nats needs a value"},
      {
        "--nats nats://127.0.0.1:4222 --interval 0s",
        "--interval takes a positive duration such as 500ms, 10s or 5m, not '0s'"
      },
      {
        "--nats nats://127.0.0.1:4222 --stall-after soon",
        "--stall-after takes a positive duration such as 500ms, 10s or 5m, not 'soon'"
      },
      {"--nats nats://127.0.0.1:4222 --port 70000", "--port takes 0 to 65535, not '70000'"},
      {"--nats nats://127.0.0.1:4222 --group [", "--group is not a regular expression"},
      {"--nats nats://127.0.0.1:4222 --verbose yes", "unknown option --verbose; see --help"},
      {
        "--kafka-config /nonexistent/client.properties",
        "--kafka-config /nonexistent/client.properties cannot be read"
      },
    };
    for (String[] c : cases) {
      String[] args = c[0].isEmpty() ? new String[0] : c[0].split(" ");
      Run run = run(args);
      assertThat(run.exit()).as("exit code of: baton-lag %s", c[0]).isEqualTo(2);
      assertThat(run.err())
          .as("message of: baton-lag %s", c[0])
          .startsWith("baton-lag: ")
          .contains(c[1]);
      assertThat(run.out()).as("nothing on standard output for: %s", c[0]).isEmpty();
    }
  }

  @Test
  void aTakenPortExitsThreeAndSaysSo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Run run = run("--nats", NATS.url(), "--port", Integer.toString(taken.getLocalPort()));
      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.err()).startsWith("baton-lag: could not start: ").contains("BindException");
    }
  }

  @Test
  void aConsumerWhoseClientHoldsItsPositionWhileMessagesArriveIsStalled() throws Exception {
    try (Connection nc = Nats.connect(NATS.url())) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      jsm.addStream(
          StreamConfiguration.builder()
              .name("JOBS")
              .subjects("jobs.>")
              .storageType(StorageType.Memory)
              .build());
      jsm.addOrUpdateConsumer(
          "JOBS",
          ConsumerConfiguration.builder()
              .durable("holders")
              .filterSubject("jobs.new")
              .ackPolicy(AckPolicy.Explicit)
              .ackWait(Duration.ofMinutes(5))
              .build());
      // A running client that takes messages and never acknowledges one: its position holds.
      ConsumerContext holders = nc.getConsumerContext("JOBS", "holders");
      AtomicInteger taken = new AtomicInteger();
      try (MessageConsumer held = holders.consume(m -> taken.incrementAndGet())) {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
          port = socket.getLocalPort();
        }
        Path out = dir.resolve("lag.out");
        Process lag =
            new ProcessBuilder(
                    command(
                        "--nats",
                        NATS.url(),
                        "--group",
                        "holders",
                        "--interval",
                        "200ms",
                        "--stall-after",
                        "1s",
                        "--port",
                        Integer.toString(port)))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
          Await.until(
              "baton-lag says where it serves",
              Duration.ofSeconds(30),
              () -> read(out).contains("/metrics and /health on http://127.0.0.1:" + port));
          for (int i = 0; i < 5; i++) {
            nc.jetStream().publish("jobs.new", ("job " + i).getBytes(StandardCharsets.UTF_8));
          }
          Await.until("the client took all five", () -> taken.get() == 5);

          LagEndpoint endpoint = new LagEndpoint(port);
          Await.until(
              "STALLED (2) with a lag of 5 on /metrics",
              Duration.ofSeconds(30),
              () ->
                  endpoint.is("baton_consumer_status", "holders", 2)
                      && endpoint.is("baton_consumer_lag_messages", "holders", 5));
          // More messages arrive; the position still holds: still STALLED, the lag grows.
          for (int i = 5; i < 8; i++) {
            nc.jetStream().publish("jobs.new", ("job " + i).getBytes(StandardCharsets.UTF_8));
          }
          Await.until(
              "a lag of 8, still STALLED",
              Duration.ofSeconds(30),
              () ->
                  endpoint.is("baton_consumer_lag_messages", "holders", 8)
                      && endpoint.is("baton_consumer_status", "holders", 2));
          HttpResponse<String> health = endpoint.get("/health");
          assertThat(health.statusCode()).isIn(200, 503);
          assertThat(health.body())
              .contains("\"version\":\"" + BatonVersion.get() + "\"")
              .contains("nats-lag-reads");
        } finally {
          lag.destroy();
          assertThat(lag.waitFor(30, TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
        }
        assertThat(lag.exitValue()).as("SIGTERM's exit code").isEqualTo(143);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
