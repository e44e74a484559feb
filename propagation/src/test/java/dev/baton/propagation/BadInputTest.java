/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.HostileHeaders;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of malformed or hostile header: the handler always runs, never sees an exception, and
 * the rejection is reported. A bad traceparent starts a new root span; what the specifications let
 * a receiver keep (valid baggage, the last of duplicated headers) is kept.
 */
class BadInputTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  static List<HostileHeaders.Row> cases() {
    return HostileHeaders.rows();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputNeverReachesTheHandlerAsAnException(HostileHeaders.Row row) throws Exception {
    Map<String, List<String>> headers = row.headers();
    RecordingListener listener = new RecordingListener();
    Baton baton = Baton.builder(OTEL.getOpenTelemetry()).addListener(listener).build();
    MessagingEngine<Map<String, List<String>>> engine =
        MessagingEngine.create(baton, MapHeaders.WIRE);
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<SpanData> current = new AtomicReference<>();
    AtomicReference<Baggage> baggage = new AtomicReference<>();

    engine.deliver(
        Delivery.of("orders", "", new byte[] {1}),
        headers,
        m -> {
          calls.incrementAndGet();
          current.set(((ReadableSpan) Span.current()).toSpanData());
          baggage.set(Baggage.current());
        },
        Settler.none());

    assertThat(calls).hasValue(1);
    SpanData span = current.get();
    if (row.continues()) {
      assertThat(span.getParentSpanContext().isValid()).isTrue();
      assertThat(span.getTraceId()).isEqualTo(HostileHeaders.TRACE);
      assertThat(span.getParentSpanId()).isEqualTo(HostileHeaders.SPAN);
    } else {
      assertThat(span.getParentSpanContext().isValid()).isFalse();
      assertThat(span.getLinks()).isEmpty();
    }
    assertThat(Set.copyOf(listener.inboundReasons())).isEqualTo(row.reasons());
    if (headers != null
        && headers.getOrDefault("baggage", List.of()).stream()
            .anyMatch(v -> v.contains("good=1"))) {
      assertThat(baggage.get().getEntryValue("good")).as("valid baggage is kept").isEqualTo("1");
      assertThat(baggage.get().size()).isLessThanOrEqualTo(64);
    }
    assertThat(baton.telemetryFailures()).isZero();
  }
}
