/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import dev.baton.testing.Await;
import dev.baton.testing.DocBlock;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.SpanTree;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The swarm end to end: on the embedded Kafka broker (with the H2 store) and on a real nats-server
 * (with the machine's PostgreSQL), every task is one trace across five services, an outside
 * caller's traceparent is continued, health is 200, the metrics have samples, and the store holds a
 * record per task with its trace id.
 */
class SwarmEndToEndTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final String OUTSIDE_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String OUTSIDE_SPAN = "00f067aa0ba902b7";

  private final HttpClient http = HttpClient.newHttpClient();
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void onTheEmbeddedKafkaBroker() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    SwarmConfig config =
        SwarmConfig.parse(List.of("--port", "0", "--failure-rate", "0.2", "--rate", "5"), null);
    // The agents' log lines, as the demo's console pattern writes them (BATON_DEMO_LOG=INFO).
    LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger agents = logs.getLogger("agent");
    Level level = agents.getLevel();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    agents.setLevel(Level.INFO);
    agents.addAppender(logged);
    try (Swarm swarm = Swarm.start(config, spans, QUIET)) {
      String outsideId = "outside-" + UUID.randomUUID();
      try (KafkaProducer<String, byte[]> raw =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", bootstrap(swarm)),
              new StringSerializer(),
              new ByteArraySerializer())) {
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(Roles.SUBMIT, null, null, outsideTask(outsideId));
        record
            .headers()
            .add(
                "traceparent",
                ("00-" + OUTSIDE_TRACE + "-" + OUTSIDE_SPAN + "-01")
                    .getBytes(StandardCharsets.UTF_8));
        raw.send(record).get(30, TimeUnit.SECONDS);
      }
      runAndCheck(swarm, spans, 4, outsideId);
    } finally {
      agents.detachAppender(logged);
      agents.setLevel(level);
    }
    Encoder<ILoggingEvent> console =
        ((OutputStreamAppender<ILoggingEvent>)
                logs.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT"))
            .getEncoder();
    String lines =
        logged.list.stream()
            .map(e -> new String(console.encode(e), StandardCharsets.UTF_8))
            .collect(Collectors.joining());
    DocBlock.of(Path.of("../docs/demo.md"), "log-lines").isShapedLike(lines);
  }

  @Test
  void onARealNatsServerWithPostgres() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    SwarmConfig config =
        SwarmConfig.parse(
            List.of(
                "--transport", "nats",
                "--nats-url", NATS.url(),
                "--port", "0",
                "--failure-rate", "0.2",
                "--rate", "5",
                "--jdbc-url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"),
            null);
    try (Swarm swarm = Swarm.start(config, spans, QUIET)) {
      String outsideId = "outside-" + UUID.randomUUID();
      try (Connection raw = Nats.connect(NATS.url())) {
        raw.publish(
            NatsMessage.builder()
                .subject(Roles.SUBMIT)
                .headers(
                    new Headers()
                        .put("traceparent", "00-" + OUTSIDE_TRACE + "-" + OUTSIDE_SPAN + "-01"))
                .data(outsideTask(outsideId))
                .build());
        raw.flush(Duration.ofSeconds(5));
      }
      runAndCheck(swarm, spans, 4, outsideId);
    }
  }

  /** The task docs/demo.md shows an outside caller sending, with {@code id} as its id. */
  private static byte[] outsideTask(String id) {
    return DocBlock.of(Path.of("../docs/demo.md"), "task-input")
        .text()
        .replace("optional-your-id", id)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String bootstrap(Swarm swarm) {
    Matcher m = Pattern.compile("at (\\S+)$").matcher(swarm.describeBroker());
    assertThat(m.find()).as(swarm.describeBroker()).isTrue();
    return m.group(1);
  }

  private void runAndCheck(Swarm swarm, InMemorySpanExporter spans, int tasks, String outsideId)
      throws Exception {
    List<CompletableFuture<Coordinator.Outcome>> futures = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      futures.add(swarm.submit("task " + i));
    }
    List<Coordinator.Outcome> outcomes = new ArrayList<>();
    for (CompletableFuture<Coordinator.Outcome> future : futures) {
      outcomes.add(future.get(90, TimeUnit.SECONDS));
    }

    for (Coordinator.Outcome outcome : outcomes) {
      assertThat(outcome.status()).isEqualTo("done");
      assertOneTraceAcrossFiveServices(spans, outcome.traceId());
    }
    Await.until(
        "the outside caller's task is stored with its trace id",
        Duration.ofSeconds(60),
        () -> stored(swarm, outsideId, OUTSIDE_TRACE));
    List<SpanData> outside = awaitTrace(spans, OUTSIDE_TRACE);
    SpanData joined =
        outside.stream()
            .filter(s -> s.getName().equals("process " + Roles.SUBMIT))
            .findFirst()
            .orElseThrow();
    assertThat(joined.getParentSpanId()).isEqualTo(OUTSIDE_SPAN);
    assertThat(services(outside)).hasSizeGreaterThanOrEqualTo(5);

    for (Coordinator.Outcome outcome : outcomes) {
      assertThat(swarm.store().all())
          .filteredOn(r -> r.id().equals(outcome.taskId()))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.traceId()).isEqualTo(outcome.traceId());
                assertThat(r.status()).isEqualTo("done");
                assertThat(r.costUsd()).isPositive();
              });
    }

    // Heartbeats (every agent, every second) made no traces: one trace per task, no more.
    Set<String> taskTraces = new HashSet<>();
    outcomes.forEach(o -> taskTraces.add(o.traceId()));
    taskTraces.add(OUTSIDE_TRACE);
    Await.until(
        "heartbeats counted in the metrics",
        Duration.ofSeconds(30),
        () ->
            get(swarm, "/metrics")
                .body()
                .lines()
                .anyMatch(
                    l ->
                        l.startsWith("messaging_client_consumed_messages_total{")
                            && l.contains("messaging_destination_name=\"baton.heartbeats\"")
                            && !l.endsWith(" 0.0")));
    assertThat(spans.getFinishedSpanItems().stream().map(SpanData::getTraceId).distinct())
        .as("the traces of %s tasks", taskTraces.size())
        .containsExactlyInAnyOrderElementsOf(taskTraces);

    HttpResponse<String> health = get(swarm, "/health");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(get(swarm, "/health/ready").statusCode()).isEqualTo(200);
    assertThat(get(swarm, "/health/live").statusCode()).isEqualTo(200);
    assertThat(get(swarm, "/health/agent/" + swarm.agentIds().get(0)).statusCode()).isEqualTo(200);
    Await.until(
        "lag and latency meters with samples",
        Duration.ofSeconds(30),
        () -> {
          String metrics = get(swarm, "/metrics").body();
          return metrics.contains("baton_consumer_lag_messages{")
              && positive(metrics, "baton_delivery_latency_seconds_count")
              && positive(metrics, "messaging_process_duration_seconds_count");
        });
  }

  private static boolean positive(String scrape, String metric) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(metric + "{"))
        .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0);
  }

  private static boolean stored(Swarm swarm, String id, String traceId) {
    try {
      return swarm.store().all().stream()
          .anyMatch(
              r -> r.id().equals(id) && r.traceId().equals(traceId) && r.status().equals("done"));
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * The trace once it is complete: the last hop was handled and every span's parent has ended too
   * (on Kafka a send span ends on the broker's ack, which can come after the receiver's process
   * span ended). On a timeout the failure shows the trace as far as it got.
   */
  private static List<SpanData> awaitTrace(InMemorySpanExporter spans, String traceId) {
    try {
      Await.until(
          "the trace is complete",
          Duration.ofSeconds(30),
          () -> {
            List<SpanData> trace = trace(spans, traceId);
            Set<String> ids = trace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
            // Complete: every span's parent is here, but for the root's own parent (none, or
            // the outside caller's span). A hop whose handler failed and ran again has one
            // process span per attempt, all children of that same parent.
            return trace.stream().anyMatch(s -> s.getName().equals("process " + Roles.DONE))
                && trace.stream()
                        .map(SpanData::getParentSpanId)
                        .filter(parent -> !ids.contains(parent))
                        .distinct()
                        .count()
                    == 1;
          });
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; the trace so far:\n" + SpanTree.of(trace(spans, traceId)).draw(), e);
    }
    return trace(spans, traceId);
  }

  private static List<SpanData> trace(InMemorySpanExporter spans, String traceId) {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(traceId))
        .toList();
  }

  private static Set<String> services(List<SpanData> spans) {
    return spans.stream()
        .map(s -> s.getResource().getAttribute(SERVICE))
        .collect(Collectors.toSet());
  }

  private static void assertOneTraceAcrossFiveServices(
      InMemorySpanExporter exporter, String traceId) {
    List<SpanData> spans = awaitTrace(exporter, traceId);
    assertThat(services(spans))
        .containsExactlyInAnyOrder(
            Roles.COORDINATOR, Roles.RESEARCHER, Roles.CODER, Roles.REVIEWER, Roles.SUMMARIZER);
    Map<String, SpanData> byId =
        spans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
    assertThat(spans.stream().filter(s -> !byId.containsKey(s.getParentSpanId())))
        .as("one root")
        .hasSize(1);
    for (String hop :
        List.of(
            Roles.SUBMIT, Roles.RESEARCH, Roles.CODE, Roles.REVIEW, Roles.SUMMARIZE, Roles.DONE)) {
      List<SpanData> processes =
          spans.stream().filter(s -> s.getName().equals("process " + hop)).toList();
      assertThat(processes).as("hop %s", hop).isNotEmpty();
      for (SpanData process : processes) {
        SpanData parent = byId.get(process.getParentSpanId());
        assertThat(parent).as("parent of %s", process.getName()).isNotNull();
        assertThat(parent.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(parent.getAttributes().get(DESTINATION)).isEqualTo(hop);
      }
    }
  }

  private HttpResponse<String> get(Swarm swarm, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + swarm.port() + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
