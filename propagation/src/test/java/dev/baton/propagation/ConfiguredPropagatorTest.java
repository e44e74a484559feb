/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static dev.baton.testing.ConfiguredPropagators.B3_MULTI;
import static dev.baton.testing.ConfiguredPropagators.B3_SINGLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.ConfiguredPropagators;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.RejectionReason;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The propagator configured on the {@code OpenTelemetry} instance, in the engine: it writes its own
 * fields beside W3C's, it is read when no valid W3C context came, and W3C wins a disagreement.
 */
class ConfiguredPropagatorTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final String TRACE_A = "0af7651916cd43dd8448eb211c80319c";
  private static final String SPAN_A = "b7ad6b7169203331";
  private static final String TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_B = "00f067aa0ba902b7";

  private final RecordingListener listener = new RecordingListener();

  private MessagingEngine<Map<String, List<String>>> engine(TextMapPropagator propagator) {
    OpenTelemetry otel = ConfiguredPropagators.with(OTEL.getOpenTelemetry(), propagator);
    return MessagingEngine.create(
        Baton.builder(otel).setAgentName("tester").addListener(listener).build(), MapHeaders.WIRE);
  }

  private static TextMapPropagator b3(String variant) {
    return variant.equals("single") ? B3_SINGLE : B3_MULTI;
  }

  private static Send<Map<String, List<String>>> send(
      MessagingEngine<Map<String, List<String>>> engine) {
    Send<Map<String, List<String>>> send =
        engine.startSend(OutboundMessage.of("orders", new byte[1]), SendOptions.PUBLISH);
    send.end(null);
    return send;
  }

  /** Delivers {@code headers} and returns the span current in the handler. */
  private static SpanData deliver(
      MessagingEngine<Map<String, List<String>>> engine, Map<String, List<String>> headers)
      throws Exception {
    AtomicReference<SpanData> seen = new AtomicReference<>();
    engine.deliver(
        Delivery.of("orders", "", new byte[1]),
        headers,
        m -> seen.set(((ReadableSpan) Span.current()).toSpanData()),
        Settler.none());
    return seen.get();
  }

  @ParameterizedTest
  @ValueSource(strings = {"single", "multi"})
  void b3IsWrittenBesideW3cAndNamesTheSendSpan(String variant) {
    Send<Map<String, List<String>>> send = send(engine(b3(variant)));

    Map<String, List<String>> headers = send.headers();
    assertThat(headers.get("traceparent"))
        .singleElement()
        .asString()
        .contains(send.spanContext().getSpanId());
    if (variant.equals("single")) {
      assertThat(headers).containsKey("b3").doesNotContainKey("X-B3-TraceId");
    } else {
      assertThat(headers).containsKeys("X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled");
    }
    SpanContext read = ConfiguredPropagators.read(b3(variant), headers);
    assertThat(read.getTraceId()).isEqualTo(send.spanContext().getTraceId());
    assertThat(read.getSpanId()).isEqualTo(send.spanContext().getSpanId());
    assertThat(read.isSampled()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"single", "multi"})
  void aMessageWithOnlyB3ContinuesItsTraceWithoutARejection(String variant) throws Exception {
    Map<String, List<String>> headers =
        ConfiguredPropagators.headers(b3(variant), ConfiguredPropagators.remote(TRACE_A, SPAN_A));

    SpanData process = deliver(engine(b3(variant)), headers);

    assertThat(process.getTraceId()).isEqualTo(TRACE_A);
    assertThat(process.getParentSpanId()).isEqualTo(SPAN_A);
    assertThat(process.getLinks())
        .extracting(l -> l.getSpanContext().getSpanId())
        .containsExactly(SPAN_A);
    assertThat(listener.rejected).isEmpty();
  }

  @Test
  void b3HeaderNamesInAnotherCaseAreReadToo() throws Exception {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("x-b3-traceid", List.of(TRACE_A));
    headers.put("x-b3-spanid", List.of(SPAN_A));
    headers.put("x-b3-sampled", List.of("1"));

    SpanData process = deliver(engine(B3_MULTI), headers);

    assertThat(process.getParentSpanId()).isEqualTo(SPAN_A);
  }

  @Test
  void whenW3cAndB3DisagreeW3cWinsAndTheDisagreementIsReported() throws Exception {
    Map<String, List<String>> headers =
        ConfiguredPropagators.headers(B3_SINGLE, ConfiguredPropagators.remote(TRACE_B, SPAN_B));
    headers.put("traceparent", List.of("00-" + TRACE_A + "-" + SPAN_A + "-01"));

    SpanData process = deliver(engine(B3_SINGLE), headers);

    assertThat(process.getTraceId()).isEqualTo(TRACE_A);
    assertThat(process.getParentSpanId()).isEqualTo(SPAN_A);
    assertThat(listener.inboundReasons()).containsExactly(RejectionReason.CONFLICTING_CONTEXT);
  }

  @Test
  void whenW3cAndB3AgreeNothingIsReported() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(B3_MULTI);
    Send<Map<String, List<String>>> send = send(engine);

    SpanData process = deliver(engine, send.headers());

    assertThat(process.getParentSpanId()).isEqualTo(send.spanContext().getSpanId());
    assertThat(listener.rejected).isEmpty();
  }

  @Test
  void anInvalidTraceparentIsStillReportedWhileB3CarriesTheTrace() throws Exception {
    Map<String, List<String>> headers =
        ConfiguredPropagators.headers(B3_SINGLE, ConfiguredPropagators.remote(TRACE_B, SPAN_B));
    headers.put("traceparent", List.of("00-not-a-trace-01"));

    SpanData process = deliver(engine(B3_SINGLE), headers);

    assertThat(process.getParentSpanId()).isEqualTo(SPAN_B);
    assertThat(listener.inboundReasons()).containsExactly(RejectionReason.INVALID_TRACEPARENT);
  }

  @Test
  void withoutAConfiguredB3AB3OnlyMessageStartsANewTrace() throws Exception {
    Map<String, List<String>> headers =
        ConfiguredPropagators.headers(B3_SINGLE, ConfiguredPropagators.remote(TRACE_A, SPAN_A));

    SpanData process = deliver(engine(W3CTraceContextPropagator.getInstance()), headers);

    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(listener.inboundReasons()).containsExactly(RejectionReason.MISSING_CONTEXT);
  }

  @Test
  void aCompositeWithW3cWritesEachHeaderOnceAndBaggageOnlyUnderThePolicy() {
    TextMapPropagator composite =
        TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance(), B3_MULTI);
    OpenTelemetry otel = ConfiguredPropagators.with(OTEL.getOpenTelemetry(), composite);
    MessagingEngine<Map<String, List<String>>> engine =
        MessagingEngine.create(
            Baton.builder(otel)
                .setBaggagePolicy(BaggagePolicy.builder().addAllowedKeys(List.of("task")).build())
                .build(),
            MapHeaders.WIRE);
    Send<Map<String, List<String>>> send;
    try (Scope ignored =
        Baggage.builder().put("task", "t1").put("secret", "hunter2").build().makeCurrent()) {
      send = send(engine);
    }

    assertThat(send.headers().get("traceparent")).hasSize(1);
    assertThat(send.headers().get("baggage")).containsExactly("task=t1");
    assertThat(send.headers()).containsKey("X-B3-TraceId");
    assertThat(send.headers().toString()).doesNotContain("hunter2");
  }

  @Test
  void aW3cOnlyPropagatorLeavesTheHeadersAsTheyWere() {
    Send<Map<String, List<String>>> send =
        send(
            engine(
                TextMapPropagator.composite(
                    W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())));

    assertThat(send.headers()).containsOnlyKeys("traceparent", "baton");
  }

  @Test
  void aFailingPropagatorIsCountedAndTheMessageGoesOnWithW3c() throws Exception {
    TextMapPropagator broken =
        new TextMapPropagator() {
          @Override
          public Collection<String> fields() {
            return List.of("broken");
          }

          @Override
          public <C> void inject(Context context, @Nullable C carrier, TextMapSetter<C> setter) {
            throw new IllegalStateException("inject");
          }

          @Override
          public <C> Context extract(
              Context context, @Nullable C carrier, TextMapGetter<C> getter) {
            throw new IllegalStateException("extract");
          }
        };
    MessagingEngine<Map<String, List<String>>> engine = engine(broken);

    Send<Map<String, List<String>>> send = send(engine);
    SpanData process = deliver(engine, send.headers());

    assertThat(send.headers()).containsKeys("traceparent", "baton");
    assertThat(process.getParentSpanId()).isEqualTo(send.spanContext().getSpanId());
    assertThat(listener.failures)
        .extracting(f -> f.operation())
        .containsExactly("inject", "extract");
  }
}
