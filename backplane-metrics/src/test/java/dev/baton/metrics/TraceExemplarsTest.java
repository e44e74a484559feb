/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.Received;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class TraceExemplarsTest {

  private static final SpanContext SAMPLED =
      SpanContext.create(
          "5b8aa5a2d2c872e8321cf37308d69df2",
          "051581bf3cb55c13",
          TraceFlags.getSampled(),
          TraceState.getDefault());
  private static final SpanContext UNSAMPLED =
      SpanContext.create(
          "6c9bb6b3e3d983f9432d048419e7ae03",
          "162692c04dc66d24",
          TraceFlags.getDefault(),
          TraceState.getDefault());

  private final PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry();
  private final BackplaneMetrics metrics = bound(registry);

  private static BackplaneMetrics bound(PrometheusMeterRegistry registry) {
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    return metrics;
  }

  @Test
  void theOpenMetricsScrapeShowsTheCurrentSampledSpanOnTheBucketItsValueFellIn() throws Exception {
    try (Scope ignored = Span.wrap(SAMPLED).makeCurrent()) {
      metrics.onReceived(
          new Received("nats", "reviewer", "drafts", "reviewers", "writer", 10, 30_000_000, 1));
      metrics.onProcessed(
          new Processed("nats", "reviewer", "drafts", "reviewers", Outcome.ACK, 700_000, null));
    }

    String openMetrics = get("application/openmetrics-text; version=1.0.0");
    String text = get(null);

    assertThat(exemplarLines(openMetrics, "baton_delivery_latency_seconds_bucket"))
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains("le=\"0.05\"")
        .contains("trace_id=\"5b8aa5a2d2c872e8321cf37308d69df2\"")
        .contains("span_id=\"051581bf3cb55c13\"")
        .contains("} 0.03 ");
    assertThat(exemplarLines(openMetrics, "messaging_process_duration_seconds_bucket"))
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains("le=\"0.001\"")
        .contains("trace_id=\"5b8aa5a2d2c872e8321cf37308d69df2\"");
    assertThat(text).doesNotContain("trace_id").contains("baton_delivery_latency_seconds_bucket");
    // OpenMetrics allows exemplars on buckets and counters only; Prometheus rejects the rest.
    assertThat(openMetrics.lines().filter(l -> l.contains(" # {")))
        .isNotEmpty()
        .allMatch(l -> l.contains("_bucket{") || l.contains("_total{"), "bucket or counter");
  }

  @Test
  void anUnsampledSpanIsNeverAnExemplar() throws Exception {
    try (Scope ignored = Span.wrap(UNSAMPLED).makeCurrent()) {
      metrics.onReceived(
          new Received("nats", "reviewer", "drafts", "reviewers", "writer", 10, 30_000_000, 1));
    }
    metrics.onReceived(
        new Received("nats", "reviewer", "drafts", "reviewers", "writer", 10, 30_000_000, 1));

    String openMetrics = get("application/openmetrics-text; version=1.0.0");

    assertThat(openMetrics).contains("baton_delivery_latency_seconds_count").doesNotContain("# {");
  }

  private String get(String accept) throws Exception {
    try (PrometheusScrape scrape =
        PrometheusScrape.start(
            registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      HttpRequest.Builder request = HttpRequest.newBuilder(scrape.uri());
      if (accept != null) {
        request.header("Accept", accept);
      }
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith(accept == null ? "text/plain" : "application/openmetrics-text");
      return response.body();
    }
  }

  private static List<String> exemplarLines(String scrape, String metric) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(metric + "{") && l.contains(" # {"))
        .collect(Collectors.toList());
  }
}
