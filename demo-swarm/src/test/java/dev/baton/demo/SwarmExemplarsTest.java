/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.launchers.PrometheusServer;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * From a latency bucket to the trace behind it: the swarm on a real nats-server, scraped by a real
 * Prometheus with exemplar storage; the exemplars Prometheus returns for the delivery-latency and
 * processing-duration histograms name process spans the swarm exported, each in the trace of a
 * task. This is the link the compose stack's Grafana follows into Jaeger.
 */
class SwarmExemplarsTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void prometheusReturnsExemplarsThatOpenTheSwarmsOwnTraces() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    SwarmConfig config =
        SwarmConfig.parse(
            List.of("--transport", "nats", "--nats-url", NATS.url(), "--port", "0", "--rate", "5"),
            null);
    try (Swarm swarm = Swarm.start(config, spans, QUIET);
        PrometheusServer prometheus =
            PrometheusServer.start(
                String.join(
                    "\n",
                    "global:",
                    "  scrape_interval: 1s",
                    "scrape_configs:",
                    "  - job_name: baton-demo",
                    "    static_configs:",
                    "      - targets: ['127.0.0.1:" + swarm.port() + "']",
                    ""),
                "--enable-feature=exemplar-storage")) {
      List<CompletableFuture<Coordinator.Outcome>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(swarm.submit("task " + i));
      }
      List<String> taskTraces = new ArrayList<>();
      for (CompletableFuture<Coordinator.Outcome> future : futures) {
        Coordinator.Outcome outcome = future.get(90, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo("done");
        taskTraces.add(outcome.traceId());
      }
      prometheus.awaitTargetsUp(Duration.ofSeconds(45));

      for (String histogram :
          List.of(
              "baton_delivery_latency_seconds_bucket",
              "messaging_process_duration_seconds_bucket")) {
        List<JsonNode> exemplars = awaitExemplars(prometheus, histogram);
        Map<String, SpanData> exported =
            spans.getFinishedSpanItems().stream()
                .collect(Collectors.toMap(SpanData::getSpanId, Function.identity(), (a, b) -> a));
        for (JsonNode exemplar : exemplars) {
          String traceId = exemplar.path("labels").path("trace_id").asText();
          String spanId = exemplar.path("labels").path("span_id").asText();
          SpanData span = exported.get(spanId);
          assertThat(span).as("the exemplar's span %s was exported", spanId).isNotNull();
          assertThat(span.getTraceId()).isEqualTo(traceId);
          assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
          assertThat(span.getName()).startsWith("process ");
        }
        assertThat(
                exemplars.stream()
                    .map(e -> e.path("labels").path("trace_id").asText())
                    .allMatch(taskTraces::contains))
            .as("every exemplar of %s is in one of the tasks' traces %s", histogram, taskTraces)
            .isTrue();
      }
    }
  }

  /** The exemplars Prometheus stores for {@code metric}, once there are any. */
  private List<JsonNode> awaitExemplars(PrometheusServer prometheus, String metric)
      throws Exception {
    List<JsonNode> found = new ArrayList<>();
    Await.until(
        metric + " exemplars in Prometheus",
        Duration.ofSeconds(30),
        () -> {
          long now = System.currentTimeMillis() / 1000;
          JsonNode answer;
          try {
            answer =
                json.readTree(
                    prometheus.get(
                        "/api/v1/query_exemplars?"
                            + PrometheusServer.param("query", metric)
                            + "&start="
                            + (now - 600)
                            + "&end="
                            + (now + 60)));
          } catch (Exception e) {
            return false;
          }
          found.clear();
          for (JsonNode series : answer.path("data")) {
            series.path("exemplars").forEach(found::add);
          }
          return !found.isEmpty();
        });
    return found;
  }
}
