package dev.baton.bench;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Collection;

/**
 * The OpenTelemetry set-ups the benchmarks compare: a real SDK with the batching span processor and
 * an exporter that drops the batch (so the cost measured is the instrumentation's, up to the
 * exporter), sampling everything or nothing.
 */
public final class Tracing {

  private Tracing() {}

  /** Which spans are recorded. */
  public enum Sampling {
    SAMPLED,
    UNSAMPLED
  }

  public static OpenTelemetrySdk sdk(Sampling sampling) {
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder()
            .setSampler(sampling == Sampling.SAMPLED ? Sampler.alwaysOn() : Sampler.alwaysOff())
            .addSpanProcessor(
                // A queue deep enough that no span is dropped: a dropped span would skip its
                // export and make the sampled figures look cheaper than they are.
                BatchSpanProcessor.builder(new Discard())
                    .setMaxQueueSize(1 << 18)
                    .setMaxExportBatchSize(4096)
                    .setScheduleDelay(Duration.ofMillis(50))
                    .build())
            .build();
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  static void close(OpenTelemetry openTelemetry) {
    if (openTelemetry instanceof OpenTelemetrySdk sdk) {
      sdk.close();
    }
  }

  /** Drops every batch: the export's cost is the backend's, not the instrumentation's. */
  private static final class Discard implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
