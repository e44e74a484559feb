/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract's wire scenarios: what raw clients and other propagators see and send. */
public interface WireScenarios extends ContractHarness {

  /**
   * A raw client sees one W3C traceparent from Baton.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void aRawClientSeesOneW3cTraceparentFromBaton() throws Exception {
    String destination = unique("raw") + ".in";
    Agent producer = agent("producer");
    String stale = "00-11111111111111111111111111111111-1111111111111111-01";

    Map<String, List<String>> headers =
        producer.rawReceive(
            destination,
            () ->
                producer
                    .publisher()
                    .publish(
                        OutboundMessage.of(destination, "hi")
                            .withHeader("traceparent", stale)
                            .withHeader("x-app", "kept")));

    assertThat(headers.get("traceparent")).hasSize(1);
    assertThat(headers.get("traceparent").get(0))
        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")
        .isNotEqualTo(stale);
    assertThat(headers.get("x-app")).containsExactly("kept");
    // Baton's one header: hop 1, the sent-at stamp in µs, an id (here or in the transport's id
    // header), the agent's name; never the four separate headers of earlier versions.
    assertThat(headers.get("baton"))
        .singleElement(InstanceOfAssertFactories.STRING)
        .matches("1;\\d{16};([0-9a-f]{32})?;producer");
    assertThat(headers).doesNotContainKeys("baton-agent", "baton-sent-at", "baton-hops");
  }

  /** The span current in a handler, as finished data, one per message. */
  private static MessageHandlerSpy spy() {
    return new MessageHandlerSpy();
  }

  /**
   * A B3 propagator on OpenTelemetry carries the trace both ways.
   *
   * @param variant the B3 variant: {@code single} or {@code multi} headers
   * @throws Exception when the broker or the harness fails
   */
  @ParameterizedTest(name = "B3 {0}")
  @ValueSource(strings = {"single", "multi"})
  default void aB3PropagatorOnOpenTelemetryCarriesTheTraceBothWays(String variant)
      throws Exception {
    TextMapPropagator b3 =
        variant.equals("single") ? ConfiguredPropagators.B3_SINGLE : ConfiguredPropagators.B3_MULTI;
    OpenTelemetry otel = ConfiguredPropagators.with(openTelemetry(), b3);
    RecordingListener listener = new RecordingListener();
    Agent agent = agent("b3-agent", otel, b -> b.addListener(listener));

    // Baton to an outside B3 reader: B3's headers name the send span, beside W3C's.
    String out = unique("b3") + ".out";
    Map<String, List<String>> headers =
        agent.rawReceive(
            out, () -> agent.publisher().publish(OutboundMessage.of(out, bytes("to zipkin"))));
    SpanData send = span(spans(1), "send " + out, "b3-agent");
    SpanContext read = ConfiguredPropagators.read(b3, headers);
    assertThat(read.getTraceId()).isEqualTo(send.getTraceId());
    assertThat(read.getSpanId()).isEqualTo(send.getSpanId());
    assertThat(headers.get("traceparent")).singleElement().asString().contains(send.getSpanId());
    assertThat(headers).containsKey(variant.equals("single") ? "b3" : "X-B3-TraceId");

    // An outside B3 writer to Baton: the process span continues its trace, nothing rejected.
    String in = unique("b3") + ".in";
    MessageHandlerSpy handler = spy();
    agent.ready(agent.subscriber().subscribe(in, handler));
    SpanContext zipkin = ConfiguredPropagators.remote(HostileHeaders.TRACE, HostileHeaders.SPAN);
    agent.rawPublish(in, ConfiguredPropagators.headers(b3, zipkin), bytes("from zipkin"));
    SpanData process = handler.await();
    assertThat(process.getTraceId()).isEqualTo(HostileHeaders.TRACE);
    assertThat(process.getParentSpanId()).isEqualTo(HostileHeaders.SPAN);
    Await.until("processed", () -> listener.processed.size() == 1);
    assertThat(listener.rejected).isEmpty();
  }

  /**
   * When W3C and the configured propagator disagree on the wire, W3C wins.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void whenW3cAndTheConfiguredPropagatorDisagreeOnTheWireW3cWins() throws Exception {
    OpenTelemetry otel =
        ConfiguredPropagators.with(openTelemetry(), ConfiguredPropagators.B3_SINGLE);
    RecordingListener listener = new RecordingListener();
    Agent agent = agent("b3-agent", otel, b -> b.addListener(listener));
    String in = unique("b3") + ".both";
    MessageHandlerSpy handler = spy();
    agent.ready(agent.subscriber().subscribe(in, handler));
    Map<String, List<String>> headers =
        new LinkedHashMap<>(
            ConfiguredPropagators.headers(
                ConfiguredPropagators.B3_SINGLE,
                ConfiguredPropagators.remote(
                    "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")));
    headers.put(
        "traceparent", List.of("00-" + HostileHeaders.TRACE + "-" + HostileHeaders.SPAN + "-01"));

    agent.rawPublish(in, headers, bytes("two contexts"));

    SpanData process = handler.await();
    assertThat(process.getTraceId()).isEqualTo(HostileHeaders.TRACE);
    assertThat(process.getParentSpanId()).isEqualTo(HostileHeaders.SPAN);
    Await.until("rejection reported", () -> !listener.rejected.isEmpty());
    assertThat(listener.inboundReasons()).containsExactly(RejectionReason.CONFLICTING_CONTEXT);
  }

  /**
   * The id and headers a handler reads (made from the broker's message only when asked) are exactly
   * what the sender's receipt and headers were.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void theIdAndHeadersAHandlerReadsAreTheSendersOwn() throws Exception {
    String destination = unique("ids") + ".in";
    Agent consumer = agent("consumer", b -> {});
    Agent producer = agent("producer", b -> {});
    CompletableFuture<Message> got = new CompletableFuture<>();
    consumer.ready(consumer.subscriber().subscribe(destination, got::complete));

    PublishReceipt receipt =
        producer
            .publisher()
            .publish(OutboundMessage.of(destination, bytes("hello")).withHeader("tenant", "acme"))
            .get(20, TimeUnit.SECONDS);

    Message message = got.get(20, TimeUnit.SECONDS);
    assertThat(message.id()).isEqualTo(receipt.messageId()).matches("[0-9a-f]{32}");
    assertThat(message.id()).isSameAs(message.id());
    assertThat(message.headers()).containsEntry("tenant", "acme");
    assertThat(message.headers().get("baton")).contains(";" + receipt.messageId() + ";producer");
    assertThat(message.sender()).isEqualTo("producer");
    assertThat(message)
        .isEqualTo(
            new Message(
                message.destination(),
                Map.copyOf(message.headers()),
                message.payload(),
                receipt.messageId(),
                "producer",
                message.replyTo(),
                message.deliveryCount()));
  }

  /**
   * A raw message without headers starts a new trace.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void aRawMessageWithoutHeadersStartsANewTrace() throws Exception {
    String destination = unique("plain") + ".in";
    RecordingListener listener = new RecordingListener();
    Agent consumer = agent("consumer", b -> b.addListener(listener));
    CompletableFuture<Message> got = new CompletableFuture<>();
    consumer.ready(consumer.subscriber().subscribe(destination, got::complete));

    consumer.rawPublish(destination, null, bytes("legacy"));

    Message message = got.get(20, TimeUnit.SECONDS);
    assertThat(message.payloadAsString()).isEqualTo("legacy");
    assertThat(message.sender()).isNull();
    assertThat(message.id()).matches("[0-9a-f]{32}");
    tree(1).isExactly("CONSUMER process %s [consumer]".formatted(destination));
    assertThat(listener.inboundReasons()).containsExactly(RejectionReason.MISSING_CONTEXT);
  }

  /**
   * Bad input over the wire never reaches the handler as an exception.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void badInputOverTheWireNeverReachesTheHandlerAsAnException() throws Exception {
    String destination = unique("hostile") + ".in";
    RecordingListener listener = new RecordingListener();
    Agent consumer = agent("consumer", b -> b.addListener(listener));
    List<SpanData> seen = new CopyOnWriteArrayList<>();
    consumer.ready(
        consumer
            .subscriber()
            .subscribe(destination, m -> seen.add(((ReadableSpan) Span.current()).toSpanData())));
    List<HostileHeaders.Row> rows =
        HostileHeaders.rows().stream().filter(r -> consumer.canCarry(r.headers())).toList();
    assertThat(rows.size()).as("rows this transport can carry").isGreaterThan(20);

    for (int i = 0; i < rows.size(); i++) {
      HostileHeaders.Row row = rows.get(i);
      int before = listener.rejected.size();
      consumer.rawPublish(destination, row.headers(), bytes(Integer.toString(i)));
      int expected = i + 1;
      Await.until(row.name() + " handled", () -> seen.size() == expected);
      Await.until(row.name() + " processed", () -> listener.processed.size() == expected);

      SpanData span = seen.get(i);
      if (row.continues()) {
        assertThat(span.getTraceId()).as(row.name()).isEqualTo(HostileHeaders.TRACE);
        assertThat(span.getParentSpanId()).as(row.name()).isEqualTo(HostileHeaders.SPAN);
      } else {
        assertThat(span.getParentSpanContext().isValid()).as(row.name()).isFalse();
      }
      Set<RejectionReason> reasons =
          listener.rejected.subList(before, listener.rejected.size()).stream()
              .map(TransportListener.RejectedContext::reason)
              .collect(Collectors.toSet());
      assertThat(reasons).as(row.name()).isEqualTo(row.reasons());
    }
    assertThat(listener.processed)
        .extracting(TransportListener.Processed::outcome)
        .containsOnly(Outcome.ACK);
  }

  // ---- the README example ----
}
