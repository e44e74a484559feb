/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EngineTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final RecordingListener listener = new RecordingListener();

  private static MessagingEngine<Map<String, List<String>>> engine(Baton baton) {
    return MessagingEngine.create(baton, MapHeaders.WIRE);
  }

  private static Map<String, List<String>> send(
      MessagingEngine<Map<String, List<String>>> engine, int payloadBytes) {
    Send<Map<String, List<String>>> send =
        engine.startSend(
            OutboundMessage.of("orders", new byte[payloadBytes]).withId("m-1"),
            SendOptions.PUBLISH);
    send.end(null);
    return send.headers();
  }

  private MessagingEngine<Map<String, List<String>>> engine(Consumer<Baton.Builder> config) {
    Baton.Builder builder =
        Baton.builder(OTEL.getOpenTelemetry()).setAgentName("tester").addListener(listener);
    config.accept(builder);
    return engine(builder.build());
  }

  @Test
  void injectionReplacesTheCallersContextHeadersAndWritesOneBatonHeader() {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});
    OutboundMessage message =
        OutboundMessage.of("orders", new byte[3])
            .withHeader("traceparent", "00-11111111111111111111111111111111-1111111111111111-01")
            .withHeader("app", "kept");

    Send<Map<String, List<String>>> send = engine.startSend(message, SendOptions.PUBLISH);
    send.end(null);

    Map<String, List<String>> headers = send.headers();
    assertThat(headers.get("traceparent")).hasSize(1);
    assertThat(headers.get("traceparent").get(0))
        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
        .contains(send.spanContext().getTraceId());
    assertThat(headers).containsEntry("app", List.of("kept"));
    assertThat(headers.get("baton"))
        .singleElement(InstanceOfAssertFactories.STRING)
        .matches("1;\\d{16};" + send.id() + ";tester");
    assertThat(send.id()).matches("[0-9a-f]{32}");
    assertThat(headers)
        .doesNotContainKeys(
            "baton-sent-at", "baton-hops", "baton-agent", "baton-agent-id", MapHeaders.ID_HEADER);
  }

  @Test
  void anIdThatCannotRideInBatonsHeaderTravelsInTheIdHeader() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});
    Send<Map<String, List<String>>> send =
        engine.startSend(
            OutboundMessage.of("orders", new byte[0]).withId("order;42 ü"), SendOptions.PUBLISH);
    send.end(null);
    assertThat(send.headers().get(MapHeaders.ID_HEADER)).containsExactly("order;42 ü");
    assertThat(send.headers().get("baton").get(0)).matches("1;\\d{16};;tester");
    AtomicReference<String> received = new AtomicReference<>();

    engine.deliver(
        Delivery.of("orders", "", new byte[0]),
        send.headers(),
        m -> received.set(m.id()),
        Settler.none());

    assertThat(received).hasValue("order;42 ü");
  }

  @Test
  void baggageOutsideTheAllowListStaysHome() {
    MessagingEngine<Map<String, List<String>>> engine =
        engine(
            b ->
                b.setBaggagePolicy(
                    BaggagePolicy.builder().addAllowedKeys(List.of("task")).build()));
    Map<String, List<String>> headers;
    Baggage baggage = Baggage.builder().put("task", "t 1/ü").put("secret", "hunter2").build();

    try (Scope ignored = baggage.makeCurrent()) {
      headers = send(engine, 0);
    }

    assertThat(headers.get("baggage")).containsExactly("task=t%201/%C3%BC");
    assertThat(listener.rejected)
        .containsExactly(
            new TransportListener.RejectedContext(
                "test", "orders", RejectionReason.BAGGAGE_NOT_SENT, false));
  }

  @Test
  void theByteBudgetDropsWholeMembersNeverTruncatesOne() {
    Baton baton =
        Baton.builder(OTEL.getOpenTelemetry()).setAgentName("tester").addListener(listener).build();
    MessagingEngine<Map<String, List<String>>> engine =
        MessagingEngine.create(baton, MapHeaders.withBaggageRoom(250));
    Map<String, List<String>> headers;
    Baggage baggage =
        Baggage.builder()
            .put("a", "x".repeat(100))
            .put("b", "y".repeat(100))
            .put("c", "z".repeat(100))
            .build();

    try (Scope ignored = baggage.makeCurrent()) {
      headers = send(engine, 0);
    }

    String sent = headers.get("baggage").get(0);
    assertThat(sent.length()).isLessThanOrEqualTo(250);
    assertThat(sent.split(",")).hasSize(2).allMatch(m -> m.length() == 102);
    assertThat(listener.rejected)
        .extracting(TransportListener.RejectedContext::reason)
        .containsExactly(RejectionReason.BAGGAGE_NOT_SENT);
  }

  @Test
  void baggageRoundTripsThroughHeadersExactly() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});
    Map<String, List<String>> headers;
    Baggage baggage =
        Baggage.builder().put("task", "a,b;c=d %41 ü\"\\").put("user.tier", "gold").build();
    try (Scope ignored = baggage.makeCurrent()) {
      headers = send(engine, 0);
    }
    AtomicReference<Baggage> received = new AtomicReference<>();

    engine.deliver(
        Delivery.of("orders", "", new byte[0]),
        headers,
        m -> received.set(Baggage.current()),
        Settler.none());

    assertThat(received.get().getEntryValue("task")).isEqualTo("a,b;c=d %41 ü\"\\");
    assertThat(received.get().getEntryValue("user.tier")).isEqualTo("gold");
    assertThat(listener.rejected).isEmpty();
  }

  @Test
  void theHandlersOwnExceptionPassesThroughUnchangedAfterANak() {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});
    IOException thrown = new IOException("disk full");
    AtomicInteger acks = new AtomicInteger();
    AtomicInteger naks = new AtomicInteger();
    Settler settler =
        new Settler() {
          @Override
          public void ack() {
            acks.incrementAndGet();
          }

          @Override
          public void nak() {
            naks.incrementAndGet();
          }
        };

    assertThatThrownBy(
            () ->
                engine.deliver(
                    Delivery.of("orders", "g", new byte[0]),
                    MapHeaders.of(),
                    m -> {
                      throw thrown;
                    },
                    settler))
        .isSameAs(thrown)
        .hasNoSuppressedExceptions();

    assertThat(acks).hasValue(0);
    assertThat(naks).hasValue(1);
    SpanData span = OTEL.getSpans().get(0);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("java.io.IOException");
    assertThat(span.getEvents()).extracting(e -> e.getName()).contains("exception");
    assertThat(listener.processed)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.outcome()).isEqualTo(Outcome.NAK);
              assertThat(p.errorType()).isEqualTo("java.io.IOException");
              assertThat(p.group()).isEqualTo("g");
            });
  }

  @Test
  void aBrokerAckFailureReachesTheCallerAndTheSpan() {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});
    IllegalStateException ackFailure = new IllegalStateException("connection closed");
    Settler settler =
        new Settler() {
          @Override
          public void ack() {
            throw ackFailure;
          }

          @Override
          public void nak() {}
        };

    assertThatThrownBy(
            () ->
                engine.deliver(
                    Delivery.of("orders", "", new byte[0]), MapHeaders.of(), m -> {}, settler))
        .isSameAs(ackFailure);
    assertThat(OTEL.getSpans().get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void aListenerThatThrowsIsContainedAndCounted() throws Exception {
    Baton baton =
        Baton.builder(OTEL.getOpenTelemetry())
            .addListener(
                new TransportListener() {
                  @Override
                  public void onSent(Sent event) {
                    throw new IllegalStateException("metrics backend down");
                  }

                  @Override
                  public void onProcessed(Processed event) {
                    throw new IllegalStateException("metrics backend down");
                  }
                })
            .addListener(listener)
            .build();
    MessagingEngine<Map<String, List<String>>> engine = engine(baton);
    AtomicInteger handled = new AtomicInteger();

    Map<String, List<String>> headers = send(engine, 1);
    engine.deliver(
        Delivery.of("orders", "", new byte[1]),
        headers,
        m -> handled.incrementAndGet(),
        Settler.none());

    assertThat(handled).hasValue(1);
    assertThat(baton.telemetryFailures()).isEqualTo(2);
    assertThat(listener.sent).hasSize(1);
    assertThat(listener.processed).hasSize(1);
  }

  @Test
  void deliveryLatencyComesFromTheSentAtStamp() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});
    long tenSecondsAgo = (System.currentTimeMillis() * 1000) - 10_000_000L;
    Map<String, List<String>> headers =
        MapHeaders.of("baton-sent-at", Long.toString(tenSecondsAgo));

    engine.deliver(Delivery.of("orders", "", new byte[0]), headers, m -> {}, Settler.none());

    assertThat(listener.received)
        .singleElement()
        .satisfies(
            r -> assertThat(r.deliveryLatencyNanos() / 1_000_000).isBetween(10_000L, 20_000L));
  }

  @Test
  void agentCodeSpansNestUnderTheProcessSpan() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> {});
    engine.deliver(
        Delivery.of("orders", "", new byte[0]),
        MapHeaders.of(),
        m -> {
          Span own = OTEL.getOpenTelemetry().getTracer("agent").spanBuilder("think").startSpan();
          own.end();
        },
        Settler.none());

    List<SpanData> spans = OTEL.getSpans();
    SpanData think =
        spans.stream().filter(s -> s.getName().equals("think")).findFirst().orElseThrow();
    SpanData process =
        spans.stream().filter(s -> s.getName().equals("process orders")).findFirst().orElseThrow();
    assertThat(think.getParentSpanId()).isEqualTo(process.getSpanId());
  }

  @Test
  void badConfigurationFailsAtBuildWithAMessageThatSaysWhatToChange() {
    assertThatThrownBy(() -> Baton.builder(OTEL.getOpenTelemetry()).setHopLimit(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hopLimit");
    assertThatThrownBy(
            () -> Baton.builder(OTEL.getOpenTelemetry()).setAgentName("my agent").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("agentName");
    assertThatThrownBy(
            () ->
                Baton.builder(OTEL.getOpenTelemetry())
                    .addContinuation("a.>.b", Continuation.CONTINUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'>' may only be the last token");
    assertThatThrownBy(() -> BaggagePolicy.builder().setMaxBytes(9000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBytes");
  }

  @Test
  void continuationRulesMatchNatsWildcardsFirstRuleWins() {
    Baton baton =
        Baton.builder(OTEL.getOpenTelemetry())
            .addContinuation("audit.*.raw", Continuation.CONTINUE)
            .addContinuation("audit.>", Continuation.NEW_TRACE_WITH_LINK)
            .build();

    assertThat(baton.continuationFor("audit.x.raw")).isEqualTo(Continuation.CONTINUE);
    assertThat(baton.continuationFor("audit.x.y")).isEqualTo(Continuation.NEW_TRACE_WITH_LINK);
    assertThat(baton.continuationFor("audit")).isEqualTo(Continuation.CONTINUE);
    assertThat(baton.continuationFor("orders.audit")).isEqualTo(Continuation.CONTINUE);
  }

  @Test
  void aReceiverPastTheHopLimitStartsALinkedTraceEvenIfTheSenderDidNot() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine = engine(b -> b.setHopLimit(10));
    String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    AtomicReference<Span> current = new AtomicReference<>();

    engine.deliver(
        Delivery.of("loop", "", new byte[0]),
        MapHeaders.of("traceparent", parent, "baton-hops", "11"),
        m -> current.set(Span.current()),
        Settler.none());

    SpanData process = OTEL.getSpans().get(0);
    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getTraceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(process.getLinks())
        .singleElement()
        .satisfies(l -> assertThat(l.getSpanContext().getSpanId()).isEqualTo("00f067aa0ba902b7"));
    assertThat(process.getAttributes().get(AttributeKey.stringKey("baton.trace.continuation")))
        .isEqualTo("hop_limit");
  }

  @Test
  void aBrokenTracerNeverStopsAMessage() throws Exception {
    Tracer broken =
        new Tracer() {
          @Override
          public SpanBuilder spanBuilder(String spanName) {
            throw new IllegalStateException("exporter queue corrupted");
          }
        };
    OpenTelemetry otel =
        new OpenTelemetry() {
          @Override
          public TracerProvider getTracerProvider() {
            return new TracerProvider() {
              @Override
              public Tracer get(String name) {
                return broken;
              }

              @Override
              public Tracer get(String name, String version) {
                return broken;
              }
            };
          }

          @Override
          public ContextPropagators getPropagators() {
            return ContextPropagators.noop();
          }
        };
    Baton baton = Baton.builder(otel).addListener(listener).build();
    MessagingEngine<Map<String, List<String>>> engine = engine(baton);
    AtomicInteger handled = new AtomicInteger();

    Map<String, List<String>> headers = send(engine, 1);
    engine.deliver(
        Delivery.of("orders", "", new byte[1]),
        headers,
        m -> handled.incrementAndGet(),
        Settler.none());

    assertThat(handled).hasValue(1);
    assertThat(baton.telemetryFailures()).isEqualTo(2);
    assertThat(listener.failures)
        .extracting(TransportListener.TelemetryFailure::operation)
        .containsExactly("send", "process");
    assertThat(listener.sent).hasSize(1);
    assertThat(listener.processed).hasSize(1);
  }
}
