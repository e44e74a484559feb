/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.docs;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.TraceExemplars;
import dev.baton.testing.DocBlock;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener.Backlog;
import dev.baton.transport.TransportListener.ConnectionChange;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.QueueDepth;
import dev.baton.transport.TransportListener.Received;
import dev.baton.transport.TransportListener.Sent;
import dev.baton.transport.TransportListener.SubscriptionChange;
import dev.baton.transport.TransportListener.SubscriptionState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scrapes docs/metrics.md shows are what the registry prints: one planner handing three tasks
 * to a writer over Kafka, and a latency bucket with its trace's exemplar.
 */
class SampleScrapeTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final Path PAGE = Path.of("../docs/metrics.md");

  @Test
  void theSampleScrape() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    metrics.onConnection(new ConnectionChange("kafka", ConnectionEvent.CONNECTED, "up"));
    metrics.onSubscription(
        new SubscriptionChange("kafka", "tasks", "writers", SubscriptionState.STARTED));
    for (int i = 0; i < 3; i++) {
      metrics.onSent(new Sent("kafka", "planner", "tasks", 420, 4_000_000, null));
      metrics.onReceived(
          new Received("kafka", "writer", "tasks", "writers", "planner", 420, 12_000_000, 1));
      metrics.onProcessed(
          new Processed(
              "kafka",
              "writer",
              "tasks",
              "writers",
              i == 2 ? Outcome.NAK : Outcome.ACK,
              800_000_000,
              i == 2 ? "java.io.IOException" : null));
    }
    metrics.onBacklog(new Backlog("kafka", "tasks", "writers", "0", 1, Double.NaN, 0.8));
    metrics.onQueueDepth(new QueueDepth("kafka", "tasks", "writers", 0, 0));
    DocBlock.of(PAGE, "scrape").isShapedLike(registry.scrape());
  }

  @Test
  void aLatencyBucketCarriesItsTrace() {
    PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry();
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    Span span = OTEL.getOpenTelemetry().getTracer("docs").spanBuilder("process").startSpan();
    try (Scope s = span.makeCurrent()) {
      metrics.onReceived(
          new Received(
              "kafka", "coder", "agents.code", "coders", "planner", 420, 3_770_646_000L, 1));
    } finally {
      span.end();
    }
    DocBlock.of(PAGE, "exemplar")
        .isShapedLike(
            registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8"));
  }
}
