/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Exemplars from OpenTelemetry's current span: a Prometheus registry built with {@link
 * #prometheusRegistry()} (or with {@link #spanContext()} in its constructor) attaches to each
 * histogram bucket the trace id and span id of a recent sampled message. Baton's transports report
 * {@code baton.delivery.latency} and {@code messaging.process.duration} while the message's process
 * span is current, so the exemplar of a slow bucket is the trace of a slow message, and the
 * OpenMetrics scrape ({@link PrometheusScrape}, when the scraper asks for {@code
 * application/openmetrics-text}) shows it as {@code # {trace_id="...",span_id="..."} value
 * timestamp}.
 *
 * <p>An unsampled span is never an exemplar. A span chosen as one gets the attribute {@code
 * exemplar=true}, so a tail sampler can keep its trace. Thread-safe, stateless.
 */
public final class TraceExemplars implements SpanContext {

  private static final TraceExemplars INSTANCE = new TraceExemplars();
  private static final AttributeKey<String> EXEMPLAR =
      AttributeKey.stringKey(SpanContext.EXEMPLAR_ATTRIBUTE_NAME);

  private TraceExemplars() {}

  /**
   * {@return the exemplar source to pass to {@code new PrometheusMeterRegistry(config, registry,
   * clock, …)}}
   */
  public static SpanContext spanContext() {
    return INSTANCE;
  }

  /**
   * {@return a Prometheus registry whose histogram buckets and counters carry exemplars} Unlike
   * Micrometer's default configuration, it writes no exemplar on a histogram's or summary's {@code
   * _count} line: OpenMetrics does not allow one there, and Prometheus (2.42 here) then rejects the
   * whole scrape ("does not support exemplars"). Build your own registry with {@link
   * #prometheusConfig()} and {@link #spanContext()} to the same effect.
   */
  public static PrometheusMeterRegistry prometheusRegistry() {
    return new PrometheusMeterRegistry(
        prometheusConfig(), new PrometheusRegistry(), Clock.SYSTEM, INSTANCE);
  }

  /**
   * {@return Micrometer's default Prometheus configuration, but exemplars only where OpenMetrics
   * allows them ({@code io.prometheus.exporter.exemplarsOnAllMetricTypes=false})}
   */
  public static PrometheusConfig prometheusConfig() {
    return new PrometheusConfig() {
      @Override
      public @Nullable String get(String key) {
        return null;
      }

      @Override
      public Properties prometheusProperties() {
        Properties properties = PrometheusConfig.super.prometheusProperties();
        properties.setProperty("io.prometheus.exporter.exemplarsOnAllMetricTypes", "false");
        return properties;
      }
    };
  }

  @Override
  public String getCurrentTraceId() {
    return Span.current().getSpanContext().getTraceId();
  }

  @Override
  public String getCurrentSpanId() {
    return Span.current().getSpanContext().getSpanId();
  }

  @Override
  public boolean isCurrentSpanSampled() {
    return Span.current().getSpanContext().isSampled();
  }

  @Override
  public void markCurrentSpanAsExemplar() {
    Span.current().setAttribute(EXEMPLAR, SpanContext.EXEMPLAR_ATTRIBUTE_VALUE);
  }
}
