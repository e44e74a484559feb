package dev.baton.demo;

import dev.baton.metrics.SpanExportWatch;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One OpenTelemetry SDK per agent, so each agent is its own {@code service.name} in Jaeger, all
 * exporting to the same place: OTLP/HTTP when an endpoint is set, and always to the in-process
 * {@link TraceTree}.
 */
final class Telemetry implements AutoCloseable {

  private final TraceTree tree;
  private final @Nullable SpanExporter otlp;
  private final @Nullable SpanExporter extra;
  private final List<OpenTelemetrySdk> sdks = new ArrayList<>();
  private final SpanExportWatch exportWatch = SpanExportWatch.create();

  /**
   * @param showInstances whether printed trees name each span's agent (replicas apart) rather than
   *     its service
   */
  Telemetry(@Nullable String otlpEndpoint, @Nullable SpanExporter extra, boolean showInstances) {
    this.tree = new TraceTree(TraceTree.DEFAULT_MAX_TRACES, showInstances);
    this.extra = extra;
    if (otlpEndpoint == null) {
      this.otlp = null;
    } else {
      String base =
          otlpEndpoint.endsWith("/")
              ? otlpEndpoint.substring(0, otlpEndpoint.length() - 1)
              : otlpEndpoint;
      String url = base.endsWith("/v1/traces") ? base : base + "/v1/traces";
      this.otlp = OtlpHttpSpanExporter.builder().setEndpoint(url).build();
    }
  }

  /** Counts spans exported, failed and dropped on the way to the OTLP endpoint. */
  SpanExportWatch exportWatch() {
    return exportWatch;
  }

  /** Whether spans go to an OTLP endpoint. */
  boolean exporting() {
    return otlp != null;
  }

  TraceTree tree() {
    return tree;
  }

  /** The SDK for one agent. */
  OpenTelemetry forAgent(String role, String agentId) {
    SdkTracerProviderBuilder builder =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.builder()
                                .put("service.name", role)
                                .put("service.namespace", "baton-demo")
                                .put("service.instance.id", agentId)
                                .build())))
            .addSpanProcessor(tree);
    if (otlp != null) {
      builder.addSpanProcessor(exportWatch.batchProcessor(otlp));
    }
    if (extra != null) {
      builder.addSpanProcessor(SimpleSpanProcessor.create(extra));
    }
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(builder.build()).build();
    sdks.add(sdk);
    return sdk;
  }

  @Override
  public void close() {
    for (OpenTelemetrySdk sdk : sdks) {
      sdk.getSdkTracerProvider().forceFlush();
      sdk.close();
    }
  }
}
