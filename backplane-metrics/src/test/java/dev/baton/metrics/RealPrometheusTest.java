/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.PrometheusServer;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.Received;
import dev.baton.transport.TransportListener.Sent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's package, started here on loopback, stopped by PID) scrapes Baton's
 * metrics in OpenMetrics, loads the shipped alert rules, answers a query with the value the test
 * produced, and (with exemplar storage) returns the trace behind a latency bucket.
 */
class RealPrometheusTest {

  // One Prometheus (with exemplar storage) for the class: its first scrape comes about 5 s after
  // it starts, so each test reads what the one scrape target serves.
  private static PrometheusMeterRegistry registry;
  private static PrometheusScrape scrape;
  private static PrometheusServer prometheus;

  @BeforeAll
  static void startPrometheus() throws Exception {
    registry = TraceExemplars.prometheusRegistry();
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    for (int i = 0; i < 42; i++) {
      metrics.onSent(new Sent("nats", "writer", "drafts", 10, 1_000_000, null));
      metrics.onReceived(
          new Received("nats", "reviewer", "drafts", "reviewers", "writer", 10, 3_000_000, 1));
      metrics.onProcessed(
          new Processed("nats", "reviewer", "drafts", "reviewers", Outcome.ACK, 1_000_000, null));
    }
    // One slow message on another destination, received inside a sampled span.
    SpanContext slow =
        SpanContext.create(
            "5b8aa5a2d2c872e8321cf37308d69df2",
            "051581bf3cb55c13",
            TraceFlags.getSampled(),
            TraceState.getDefault());
    try (Scope ignored = Span.wrap(slow).makeCurrent()) {
      metrics.onReceived(
          new Received(
              "nats", "reviewer", "reviews", "reviewers", "writer", 10, 4_000_000_000L, 1));
    }
    scrape =
        PrometheusScrape.start(
            registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    prometheus = PrometheusServer.start(config(scrape.port()), "--enable-feature=exemplar-storage");
    prometheus.awaitTargetsUp(Duration.ofSeconds(45));
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (scrape != null) {
      scrape.close();
    }
  }

  @Test
  void prometheusScrapesBatonAndAnswersWithTheValueTheTestProduced() throws Exception {
    String value =
        awaitValue(
            "sum(messaging_client_sent_messages_total{messaging_destination_name=\"drafts\"})",
            "42");
    String graph =
        awaitValue("baton_agent_messages_total{from_agent=\"writer\",to_agent=\"reviewer\"}", "43");
    String latency =
        awaitValue(
            "baton_delivery_latency_seconds_count{messaging_destination_name=\"drafts\"}", "42");
    String rules = prometheus.get("/api/v1/rules");

    assertThat(value).isEqualTo("42");
    assertThat(graph).as("42 hand-offs on drafts and the slow one on reviews").isEqualTo("43");
    assertThat(latency).isEqualTo("42");
    assertThat(rules).contains("BatonConsumerStalled").contains("BatonBrokerDown");
    assertThat(count(rules, "\"type\":\"alerting\"")).isEqualTo(9);
  }

  @Test
  void prometheusWithExemplarStorageReturnsTheTraceOfTheMessageBehindABucket() throws Exception {
    String exemplars =
        awaitExemplars(
            "baton_delivery_latency_seconds_bucket{messaging_destination_name=\"reviews\"}");

    assertThat(exemplars)
        .contains("\"trace_id\":\"5b8aa5a2d2c872e8321cf37308d69df2\"")
        .contains("\"span_id\":\"051581bf3cb55c13\"")
        .contains("\"le\":\"5.0\"");
  }

  private static String config(int scrapePort) {
    Path rules = Path.of("prometheus/alerts.yml").toAbsolutePath();
    return String.join(
        "\n",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files:",
        "  - " + rules,
        "scrape_configs:",
        "  - job_name: baton",
        "    metrics_path: /metrics",
        "    static_configs:",
        "      - targets: ['127.0.0.1:" + scrapePort + "']",
        "");
  }

  private static String awaitExemplars(String metric) throws Exception {
    return prometheus.await(
        () -> {
          long now = System.currentTimeMillis() / 1000;
          return "/api/v1/query_exemplars?"
              + PrometheusServer.param("query", metric)
              + "&start="
              + (now - 300)
              + "&end="
              + (now + 60);
        },
        body -> body.contains("trace_id"),
        Duration.ofSeconds(30));
  }

  /** The value of {@code query} once it is {@code expected}. */
  private static String awaitValue(String query, String expected) throws Exception {
    Pattern value = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");
    String body =
        prometheus.await(
            "/api/v1/query?" + PrometheusServer.param("query", query),
            answer -> {
              Matcher m = value.matcher(answer);
              return m.find() && m.group(1).equals(expected);
            },
            Duration.ofSeconds(30));
    Matcher m = value.matcher(body);
    m.find();
    return m.group(1);
  }

  private static int count(String text, String needle) {
    int count = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      count++;
    }
    return count;
  }
}
