/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Poll;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Transport;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Housekeeping (heartbeats): no trace context, no spans, and still every metric event. */
class HousekeepingTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final RecordingListener listener = new RecordingListener();

  private MessagingEngine<Map<String, List<String>>> engine(Consumer<Baton.Builder> config) {
    Baton.Builder builder =
        Baton.builder(OTEL.getOpenTelemetry()).setAgentName("tester").addListener(listener);
    config.accept(builder);
    return MessagingEngine.create(builder.build(), MapHeaders.WIRE);
  }

  /** Sends on {@code destination} inside an agent's span (so a context would be there to send). */
  private Map<String, List<String>> sendInsideASpan(
      MessagingEngine<Map<String, List<String>>> engine, String destination) {
    Span task = OTEL.getOpenTelemetry().getTracer("test").spanBuilder("task").startSpan();
    try (Scope ignored = task.makeCurrent()) {
      Send<Map<String, List<String>>> send =
          engine.startSend(OutboundMessage.of(destination, new byte[7]), SendOptions.PUBLISH);
      send.end(null);
      return send.headers();
    } finally {
      task.end();
    }
  }

  private boolean deliverSeesASpan(
      MessagingEngine<Map<String, List<String>>> engine,
      String destination,
      Map<String, List<String>> headers)
      throws Exception {
    AtomicBoolean traced = new AtomicBoolean();
    engine.deliver(
        Delivery.of(destination, "", new byte[7]),
        headers,
        m -> traced.set(Span.current().getSpanContext().isValid()),
        Settler.none());
    return traced.get();
  }

  @Test
  void heartbeatsTravelWithoutContextAndMakeNoSpansButCount() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});

    Map<String, List<String>> headers = sendInsideASpan(engine, Transport.HEARTBEATS);
    boolean traced = deliverSeesASpan(engine, Transport.HEARTBEATS, headers);

    assertThat(headers).containsOnlyKeys("baton");
    assertThat(headers.get("baton").get(0)).matches("1;\\d{16};[0-9a-f]{32};tester");
    assertThat(traced).as("a span current in the heartbeat's handler").isFalse();
    assertThat(OTEL.getSpans()).extracting(s -> s.getName()).containsExactly("task");
    assertThat(listener.sent)
        .singleElement()
        .satisfies(s -> assertThat(s.payloadBytes()).isEqualTo(7));
    assertThat(listener.received)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.deliveryLatencyNanos()).isBetween(0L, 60_000_000_000L);
              assertThat(r.senderAgent()).isEqualTo("tester");
            });
    assertThat(listener.processed).hasSize(1);
    assertThat(listener.rejected).as("no missing context reported for a heartbeat").isEmpty();
  }

  @Test
  void agentTrafficNextToHeartbeatsIsTracedAsBefore() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});

    Map<String, List<String>> headers = sendInsideASpan(engine, "baton.heartbeats-not");
    boolean traced = deliverSeesASpan(engine, "baton.heartbeats-not", headers);

    assertThat(headers).containsKeys("traceparent", "baton");
    assertThat(traced).isTrue();
    assertThat(OTEL.getSpans())
        .extracting(s -> s.getKind())
        .contains(SpanKind.PRODUCER, SpanKind.CONSUMER);
  }

  @Test
  void theOptionTracesHousekeepingLikeAnyMessage() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> b.setTraceHousekeeping(true));

    Map<String, List<String>> headers = sendInsideASpan(engine, Transport.HEARTBEATS);
    boolean traced = deliverSeesASpan(engine, Transport.HEARTBEATS, headers);

    assertThat(headers).containsKey("traceparent");
    assertThat(traced).isTrue();
    assertThat(OTEL.getSpans()).hasSize(3);
  }

  @Test
  void theAgentsOwnHousekeepingPatternsAreQuietToo() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine =
        engine(b -> b.addHousekeeping("status.*.ping"));

    Map<String, List<String>> headers = sendInsideASpan(engine, "status.planner.ping");
    boolean traced = deliverSeesASpan(engine, "status.planner.ping", headers);

    assertThat(headers).doesNotContainKey("traceparent");
    assertThat(traced).isFalse();
    assertThat(engine.baton().isHousekeeping("status.planner.pong")).isFalse();
    assertThat(engine.baton().isHousekeeping("baton.heartbeats")).isTrue();
    assertThatThrownBy(() -> Baton.builder(OTEL.getOpenTelemetry()).addHousekeeping("a.>.b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'>' may only be the last token");
  }

  @Test
  void aPolledBatchOfHeartbeatsMakesNoPollSpan() {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});

    Poll poll = engine.startPoll(Transport.HEARTBEATS, "g", Instant.now(), Instant.now(), 3);
    poll.end();

    assertThat(OTEL.getSpans()).isEmpty();
  }
}
