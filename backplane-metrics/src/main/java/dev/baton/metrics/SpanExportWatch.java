/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Watches span export, so a trace backend that is down or hangs shows on {@code /metrics} and
 * {@code /health} instead of nowhere, while the agents go on at full speed.
 *
 * <p>{@link #batchProcessor} builds the OpenTelemetry SDK's own {@link BatchSpanProcessor} (a
 * bounded queue of 2,048 spans and its own export thread: a span's end never waits on the network;
 * when the queue is full new spans are dropped, so memory stays bounded) over the exporter, and
 * counts: spans exported, spans the exporter failed to deliver (refused, timed out), spans the
 * processor dropped because its queue was full (the SDK's own {@code
 * otel.sdk.processor.span.processed} count with {@code error.type=queue_full}), and spans waiting.
 * {@link #bindTo} publishes them as {@code baton.spans.exported}, {@code
 * baton.spans.export.failed}, {@code baton.spans.dropped} and {@code baton.spans.queued}; {@link
 * #healthCheck()} is DEGRADED while spans were dropped or failed within the last minute (register
 * it as non-critical: lost telemetry is a reason to look, not to take an agent out of service).
 *
 * <p>One watch may serve several processors (one SDK per agent): the counts are their sums.
 * Thread-safe.
 */
public final class SpanExportWatch implements MeterBinder {

  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final String PROCESSED = "otel.sdk.processor.span.processed";
  private static final String QUEUE_SIZE = "otel.sdk.processor.span.queue.size";

  private final Duration degradedFor;
  private final LongSupplier clock;
  private final PullReader reader = new PullReader();
  private final SdkMeterProvider meterProvider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  private final List<PullReader> sdkReaders = new CopyOnWriteArrayList<>();
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lastSuccessNanos = new AtomicLong(Long.MIN_VALUE);

  private SpanExportWatch(Duration degradedFor, LongSupplier clock) {
    this.degradedFor = degradedFor;
    this.clock = clock;
  }

  /** {@return a watch whose health check stays DEGRADED for a minute after the last lost span} */
  public static SpanExportWatch create() {
    return create(Duration.ofMinutes(1));
  }

  /**
   * {@return a watch whose health check stays DEGRADED for {@code degradedFor} after a lost span}
   *
   * @param degradedFor how long the check stays DEGRADED after a lost span
   */
  public static SpanExportWatch create(Duration degradedFor) {
    Objects.requireNonNull(degradedFor, "degradedFor");
    if (degradedFor.isNegative() || degradedFor.isZero()) {
      throw new IllegalArgumentException("degradedFor must be positive: " + degradedFor);
    }
    return new SpanExportWatch(degradedFor, System::nanoTime);
  }

  /**
   * {@return the SDK's batch span processor over {@code exporter}, counted by this watch} Use it in
   * place of {@code BatchSpanProcessor.builder(exporter).build()}.
   *
   * @param exporter the exporter the processor hands its batches to
   */
  public SpanProcessor batchProcessor(SpanExporter exporter) {
    return BatchSpanProcessor.builder(watch(exporter))
        .setMeterProvider(meterProvider)
        .setInternalTelemetryVersion(InternalTelemetryVersion.LATEST)
        .build();
  }

  /**
   * {@return {@code exporter}, counting what it delivers and fails to deliver} {@link
   * #batchProcessor} uses it; call it yourself for a processor of your own (its drops are then not
   * counted).
   *
   * @param exporter the exporter to count
   */
  public SpanExporter watch(SpanExporter exporter) {
    Objects.requireNonNull(exporter, "exporter");
    return new CountingExporter(exporter);
  }

  /**
   * {@return a metric reader for an SDK that builds its batch span processors itself (the SDK's
   * autoconfiguration): register it on that SDK's meter provider, wrap its exporters with {@link
   * #watch}, and set the SDK's internal telemetry to {@code latest} ({@code
   * otel.experimental.sdk.telemetry.version=latest}); its drops and queue are then counted too}
   */
  public MetricReader newReader() {
    PullReader sdkReader = new PullReader();
    sdkReaders.add(sdkReader);
    return sdkReader;
  }

  private List<MetricData> collectAll() {
    List<MetricData> all = new ArrayList<>(reader.collect());
    for (PullReader sdkReader : sdkReaders) {
      all.addAll(sdkReader.collect());
    }
    return all;
  }

  /** {@return spans the exporter delivered} */
  public long exportedSpans() {
    return exported.get();
  }

  /** {@return spans the exporter failed to deliver (refused, timed out, rejected)} */
  public long failedSpans() {
    return failed.get();
  }

  /** {@return spans the batch processors dropped because their queues were full} */
  public long droppedSpans() {
    long dropped = 0;
    for (MetricData metric : collectAll()) {
      if (metric.getName().equals(PROCESSED)) {
        for (LongPointData point : metric.getLongSumData().getPoints()) {
          if (point.getAttributes().get(ERROR_TYPE) != null) {
            dropped += point.getValue();
          }
        }
      }
    }
    return dropped;
  }

  /** {@return spans waiting in the batch processors' queues} */
  public long queuedSpans() {
    long queued = 0;
    for (MetricData metric : collectAll()) {
      if (metric.getName().equals(QUEUE_SIZE)) {
        Collection<LongPointData> points =
            metric.getType() == MetricDataType.LONG_GAUGE
                ? metric.getLongGaugeData().getPoints()
                : metric.getLongSumData().getPoints();
        for (LongPointData point : points) {
          queued += point.getValue();
        }
      }
    }
    return queued;
  }

  /**
   * {@code trace-export}: DEGRADED while spans were dropped or failed to export within the window
   * ({@link #create(Duration)}), with the counts and how long ago an export last succeeded; HEALTHY
   * otherwise. Never UNHEALTHY. Register it as non-critical.
   *
   * @return the {@code trace-export} health check
   */
  public HealthCheck healthCheck() {
    return new HealthCheck() {
      private long lastLost;
      private long lastTroubleNanos;
      private boolean trouble;

      @Override
      public String name() {
        return "trace-export";
      }

      @Override
      public synchronized CheckResult check() {
        long failed = failedSpans();
        long dropped = droppedSpans(); // one collection of the SDK's metrics per check
        long lost = failed + dropped;
        long now = clock.getAsLong();
        if (lost > lastLost) {
          trouble = true;
          lastTroubleNanos = now;
        }
        lastLost = lost;
        boolean recent = trouble && now - lastTroubleNanos < degradedFor.toNanos();
        CheckResult result;
        if (recent) {
          long success = lastSuccessNanos.get();
          String since =
              success == Long.MIN_VALUE
                  ? "no export has succeeded yet"
                  : "the last export succeeded " + (now - success) / 1_000_000_000L + " s ago";
          result =
              CheckResult.degraded(
                  "spans are being lost: "
                      + dropped
                      + " dropped (queue full) and "
                      + failed
                      + " failed to export so far; "
                      + since);
        } else {
          result = CheckResult.healthy();
        }
        return result
            .withDetail("exported", exportedSpans())
            .withDetail("failed", failed)
            .withDetail("dropped", dropped);
      }
    };
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("baton.spans.exported", this, SpanExportWatch::exportedSpans)
        .description("Spans the trace exporter delivered.")
        .register(registry);
    FunctionCounter.builder("baton.spans.export.failed", this, SpanExportWatch::failedSpans)
        .description("Spans the trace exporter failed to deliver (refused, timed out, rejected).")
        .register(registry);
    FunctionCounter.builder("baton.spans.dropped", this, SpanExportWatch::droppedSpans)
        .description("Spans dropped before export because the batch queue was full.")
        .register(registry);
    Gauge.builder("baton.spans.queued", this, SpanExportWatch::queuedSpans)
        .description("Spans waiting in the batch queue for export.")
        .register(registry);
  }

  /** Counts each batch's outcome; never lets the delegate's exception out. */
  private final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;

    CountingExporter(SpanExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      int count = spans.size();
      CompletableResultCode result;
      try {
        result = delegate.export(spans);
      } catch (RuntimeException e) {
        failed.addAndGet(count);
        return CompletableResultCode.ofExceptionalFailure(e);
      }
      result.whenComplete(
          () -> {
            if (result.isSuccess()) {
              exported.addAndGet(count);
              lastSuccessNanos.set(clock.getAsLong());
            } else {
              failed.addAndGet(count);
            }
          });
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }

    @Override
    public String toString() {
      return "SpanExportWatch[" + delegate + "]";
    }
  }

  /** Collects the SDK's own metrics when asked, for the counts above. */
  private static final class PullReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
