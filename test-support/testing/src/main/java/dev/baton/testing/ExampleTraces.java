/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.PrintStream;
import java.util.Comparator;

/** What the runnable examples share: an SDK that keeps its spans, and a printout of them. */
public final class ExampleTraces implements AutoCloseable {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();

  /** {@return the OpenTelemetry instance to hand to the agents} */
  public OpenTelemetrySdk openTelemetry() {
    return sdk;
  }

  /**
   * Prints every span in start order (trace, span, parent, kind, name, agent) and whether the
   * hand-offs (send and process spans) formed one trace.
   *
   * @param out where to print
   */
  public void print(PrintStream out) {
    spans.getFinishedSpanItems().stream()
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .forEach(
            s ->
                out.printf(
                    "  trace %s  span %s  parent %-16s  %-8s %s (%s)%n",
                    s.getTraceId(),
                    s.getSpanId(),
                    s.getParentSpanContext().isValid() ? s.getParentSpanId() : "-",
                    s.getKind(),
                    s.getName(),
                    s.getAttributes().get(AttributeKey.stringKey("gen_ai.agent.name"))));
    long traces =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getKind() == SpanKind.PRODUCER || s.getKind() == SpanKind.CONSUMER)
            .map(SpanData::getTraceId)
            .distinct()
            .count();
    out.println(traces == 1 ? "one trace across every hop" : traces + " traces (expected 1)");
  }

  @Override
  public void close() {
    sdk.close();
  }
}
