/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.launchers.KafkaBroker;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Broker faults on a dedicated broker: kill -9 and restart, pause and resume, orphan guard. */
@Tag("scenario")
class KafkaFaultTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  static KafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  private static KafkaBaton kafka(String agent, RecordingListener listener) {
    return KafkaBaton.builder(
            Baton.builder(OTEL.getOpenTelemetry())
                .setAgentName(agent)
                .addListener(listener)
                .build(),
            Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "reconnect.backoff.ms", 50,
                "reconnect.backoff.max.ms", 500))
        .setPollTimeout(Duration.ofMillis(100))
        .setBacklogInterval(Duration.ZERO)
        .build();
  }

  @Test
  void aBrokerKilledAndRestartedLosesNoAcknowledgedRecord() throws Exception {
    String topic = "outage-" + System.nanoTime();
    broker.createTopic(topic, 1);
    RecordingListener listener = new RecordingListener();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (KafkaBaton kafka = kafka("survivor", listener)) {
      kafka.subscriber().subscribe(topic, "survivors", m -> handled.add(m.payloadAsString()));
      for (int i = 0; i < 10; i++) {
        kafka
            .publisher()
            .publish(OutboundMessage.of(topic, "before-" + i))
            .get(30, TimeUnit.SECONDS);
      }
      Await.until("the first ten handled", () -> handled.size() == 10);

      broker.kill();
      broker.restart();
      for (int i = 0; i < 10; i++) {
        kafka
            .publisher()
            .publish(OutboundMessage.of(topic, "after-" + i))
            .get(60, TimeUnit.SECONDS);
      }

      Await.until("all twenty handled", Duration.ofSeconds(60), () -> handled.size() == 20);
    }
    assertThat(broker.lastStartTime()).isLessThan(Duration.ofSeconds(60));
  }

  @Test
  void healthAnswersEveryProbeWithinOneSecondWhileTheBrokerIsDown() throws Exception {
    try (KafkaHealthCheck check =
            KafkaHealthCheck.builder(Map.of("bootstrap.servers", broker.bootstrapServers()))
                .setTimeout(Duration.ofSeconds(3))
                .build();
        HealthManager health =
            HealthManager.builder()
                .addCheck(check)
                .setTimeout(Duration.ofSeconds(3))
                .setInterval(Duration.ofMillis(500))
                .setCacheFor(Duration.ofMillis(200))
                .build();
        HealthServer server =
            HealthServer.builder(health)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .start()) {
      health.markStarted();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      Await.until("healthy", () -> status(http, server, "/health") == 200);
      AtomicBoolean probing = new AtomicBoolean(true);
      AtomicLong slowest = new AtomicLong();
      AtomicInteger answers = new AtomicInteger();
      AtomicInteger unhealthy = new AtomicInteger();
      List<Thread> probes = new ArrayList<>();
      for (String path : List.of("/health", "/health/ready", "/health", "/health/ready")) {
        Thread probe =
            new Thread(
                () -> {
                  while (probing.get()) {
                    long started = System.nanoTime();
                    int code = status(http, server, path);
                    slowest.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
                    answers.incrementAndGet();
                    if (code == 503) {
                      unhealthy.incrementAndGet();
                    }
                  }
                });
        probes.add(probe);
        probe.start();
      }
      try {
        broker.kill();
        Await.until(
            "a probe sees the broker down (once its check ran past the 3 s timeout)",
            Duration.ofSeconds(30),
            () -> unhealthy.get() > 0);
        // A bounded window: every answer within 1 s while the checks keep timing out.
        Await.during(
            "every answer within 1 s while the broker is down",
            Duration.ofSeconds(2),
            () -> slowest.get() < 1000);
      } finally {
        probing.set(false);
        for (Thread probe : probes) {
          probe.join();
        }
        broker.restart();
      }

      assertThat(answers.get()).isGreaterThan(20);
      assertThat(slowest.get()).as("slowest answer while the broker was down, ms").isLessThan(1000);
      Await.until(
          "healthy again after the restart",
          Duration.ofSeconds(30),
          () -> status(http, server, "/health") == 200);
    }
  }

  /** The status code of {@code path}, or -1 when no answer came within 1 s. */
  private static int status(HttpClient http, HealthServer server, String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Test
  void aSendToAPausedBrokerEndsItsSpanOnlyWhenTheBrokerAcknowledges() throws Exception {
    String topic = "paused-" + System.nanoTime();
    broker.createTopic(topic, 1);
    RecordingListener listener = new RecordingListener();
    try (KafkaBaton kafka = kafka("patient", listener)) {
      kafka.publisher().publish(OutboundMessage.of(topic, "warm-up")).get(30, TimeUnit.SECONDS);
      OTEL.clearSpans();

      broker.pause();
      CompletableFuture<PublishReceipt> pending;
      try {
        pending = kafka.publisher().publish(OutboundMessage.of(topic, "while frozen"));
        // A bounded window: a live broker answers well within it, a frozen one cannot.
        Await.during(
            "no acknowledgement from a frozen broker, the send span still open",
            Duration.ofMillis(500),
            () -> !pending.isDone() && OTEL.getSpans().isEmpty());
      } finally {
        broker.resume();
      }

      PublishReceipt receipt = pending.get(60, TimeUnit.SECONDS);
      assertThat(receipt.sequence()).isEqualTo(1);
      List<SpanData> spans = Await.size("the send span", 1, OTEL::getSpans);
      assertThat(spans.get(0).getKind()).isEqualTo(SpanKind.PRODUCER);
      assertThat(listener.sent).hasSize(2);
    }
  }

  @Test
  void aProbeThatFailsIsCountedAndTheBrokerReadsDownWhileMessagingGoesOn() throws Exception {
    String topic = "probe-" + System.nanoTime();
    broker.createTopic(topic, 1);
    RecordingListener listener = new RecordingListener();
    try (KafkaBaton kafka = kafka("prober", listener)) {
      Set<String> handled = ConcurrentHashMap.newKeySet();
      kafka.subscriber().subscribe(topic, "probers", m -> handled.add(m.payloadAsString()));
      kafka.publisher().publish(OutboundMessage.of(topic, "before")).get(30, TimeUnit.SECONDS);
      Await.until("handled", () -> handled.contains("before"));
      kafka.probe();
      assertThat(listener.connection)
          .extracting(TransportListener.ConnectionChange::event)
          .containsExactly(TransportListener.ConnectionEvent.CONNECTED);

      broker.kill();
      try {
        long started = System.nanoTime();
        kafka.probe();
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .as("the probe gives up after its timeout")
            .isLessThan(Duration.ofSeconds(30));
        assertThat(listener.failures)
            .anySatisfy(f -> assertThat(f.operation()).isEqualTo("backlog"));
        assertThat(listener.connection)
            .extracting(TransportListener.ConnectionChange::event)
            .containsExactly(
                TransportListener.ConnectionEvent.CONNECTED,
                TransportListener.ConnectionEvent.DISCONNECTED);
        assertThat(listener.connection.get(1).detail()).doesNotContain("password");
      } finally {
        broker.restart();
      }

      kafka.publisher().publish(OutboundMessage.of(topic, "after")).get(60, TimeUnit.SECONDS);
      Await.until(
          "handled after the restart", Duration.ofSeconds(60), () -> handled.contains("after"));
      kafka.probe();
      assertThat(listener.connection.get(listener.connection.size() - 1).event())
          .isEqualTo(TransportListener.ConnectionEvent.RECONNECTED);
    }
  }

  /** A child JVM that starts a broker, prints its PID, then waits to be killed. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      KafkaBroker broker = KafkaBroker.start();
      System.out.println("DIR " + broker.directory());
      System.out.println("PID " + broker.pid());
      System.out.flush();
      Thread.sleep(120_000);
    }
  }

  @Test
  void aBrokerDiesWithItsJvmEvenAfterSigkill() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process parent =
        new ProcessBuilder(
                javaBin, "-cp", System.getProperty("java.class.path"), Parent.class.getName())
            .redirectErrorStream(true)
            .start();
    long brokerPid = -1;
    Path dir = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("DIR ")) {
          dir = Path.of(line.substring(4).trim());
        }
        if (line.startsWith("PID ")) {
          brokerPid = Long.parseLong(line.substring(4).trim());
          break;
        }
      }
      assertThat(brokerPid).as("the parent started a broker").isPositive();
      ProcessHandle brokerProcess = ProcessHandle.of(brokerPid).orElseThrow();

      parent.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
      parent.waitFor();

      Await.until(
          "the orphaned broker is gone", Duration.ofSeconds(20), () -> !brokerProcess.isAlive());
    } finally {
      parent.destroyForcibly();
      if (brokerPid > 0) {
        ProcessHandle.of(brokerPid).ifPresent(ProcessHandle::destroyForcibly);
      }
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
