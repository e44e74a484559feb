/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.transport.OutboundMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A delivery whose sender was not sampled, under the SDK's default sampler (parent-based): the
 * engine builds no span for the hop, as the sampler would have recorded none, and the trace goes
 * on: the handler runs in the sender's context, and what it sends carries the same trace, still
 * unsampled, one hop further, with no span built for the send either.
 */
class UnsampledHopTest {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String SENDER_SPAN = "b7ad6b7169203331";

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .build();
  private final MessagingEngine<Map<String, List<String>>> engine =
      MessagingEngine.create(Baton.builder(sdk).setAgentName("worker").build(), MapHeaders.WIRE);

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  @Test
  void theHandlerRunsInTheSendersContextAndItsSendsContinueTheTrace() throws Exception {
    AtomicReference<SpanContext> current = new AtomicReference<>();
    AtomicReference<Send<Map<String, List<String>>>> onward = new AtomicReference<>();

    engine.deliver(
        Delivery.of("jobs", "", new byte[3]),
        Map.of(
            "traceparent", List.of("00-" + TRACE + "-" + SENDER_SPAN + "-00"),
            "baton", List.of("3;1733241600000000;" + TRACE + ";planner")),
        m -> {
          current.set(Span.current().getSpanContext());
          Send<Map<String, List<String>>> send =
              engine.startSend(OutboundMessage.of("results", new byte[3]), SendOptions.PUBLISH);
          send.end(null);
          onward.set(send);
        },
        Settler.none());

    assertThat(current.get().getTraceId()).isEqualTo(TRACE);
    assertThat(current.get().getSpanId()).isEqualTo(SENDER_SPAN);
    assertThat(current.get().isSampled()).isFalse();
    // The onward send builds no span either (the sampler would drop it): the message carries the
    // context the handler runs in, one hop further.
    assertThat(onward.get().headers().get("traceparent"))
        .containsExactly("00-" + TRACE + "-" + SENDER_SPAN + "-00");
    assertThat(onward.get().spanContext().getSpanId()).isEqualTo(SENDER_SPAN);
    assertThat(onward.get().headers().get("baton").get(0)).startsWith("4;");
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void anUnsampledCallersSendNeverEndsTheCallersSpan() {
    // A caller span that records without being sampled (a sampler's RECORD_ONLY): the send wraps
    // its context and ends only its own.
    Span caller =
        SdkTracerProvider.builder()
            .setSampler(RecordOnly.INSTANCE)
            .build()
            .get("caller")
            .spanBuilder("caller")
            .startSpan();
    assertThat(caller.isRecording()).isTrue();
    assertThat(caller.getSpanContext().isSampled()).isFalse();
    try (var ignored = caller.makeCurrent()) {
      Send<Map<String, List<String>>> send =
          engine.startSend(OutboundMessage.of("results", new byte[3]), SendOptions.PUBLISH);
      send.end(null);
      assertThat(send.headers().get("traceparent").get(0))
          .contains(caller.getSpanContext().getSpanId());
    }
    assertThat(caller.isRecording()).isTrue();
    caller.end();
  }

  @Test
  void aSampledCallersSendIsRecorded() {
    Span caller = sdk.getTracer("caller").spanBuilder("caller").startSpan();
    try (var ignored = caller.makeCurrent()) {
      engine.startSend(OutboundMessage.of("results", new byte[3]), SendOptions.PUBLISH).end(null);
    }
    caller.end();
    assertThat(exporter.getFinishedSpanItems())
        .filteredOn(span -> span.getName().equals("send results"))
        .singleElement()
        .satisfies(
            span ->
                assertThat(span.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId()));
  }

  /** Records every span without sampling it. */
  private enum RecordOnly implements io.opentelemetry.sdk.trace.samplers.Sampler {
    INSTANCE;

    @Override
    public io.opentelemetry.sdk.trace.samplers.SamplingResult shouldSample(
        io.opentelemetry.context.Context parentContext,
        String traceId,
        String name,
        io.opentelemetry.api.trace.SpanKind spanKind,
        io.opentelemetry.api.common.Attributes attributes,
        List<io.opentelemetry.sdk.trace.data.LinkData> parentLinks) {
      return io.opentelemetry.sdk.trace.samplers.SamplingResult.recordOnly();
    }

    @Override
    public String getDescription() {
      return "RecordOnly";
    }
  }

  @Test
  void aSampledSendersHopIsStillRecorded() throws Exception {
    engine.deliver(
        Delivery.of("jobs", "", new byte[3]),
        Map.of("traceparent", List.of("00-" + TRACE + "-" + SENDER_SPAN + "-01")),
        m -> {},
        Settler.none());

    assertThat(exporter.getFinishedSpanItems())
        .singleElement()
        .satisfies(
            span -> {
              assertThat(span.getName()).isEqualTo("process jobs");
              assertThat(span.getParentSpanId()).isEqualTo(SENDER_SPAN);
            });
  }
}
