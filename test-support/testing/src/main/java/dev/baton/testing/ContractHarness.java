/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the contract's scenarios stand on: how a transport opens an agent on its broker (implemented
 * by the transport's test), and the span and naming helpers every scenario uses (implemented by
 * {@link TransportContract}). A transport's test extends {@link TransportContract}, not this.
 */
public interface ContractHarness {

  AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
  AttributeKey<String> SENDER_NAME = AttributeKey.stringKey("baton.sender.agent.name");
  AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("messaging.message.conversation_id");
  AttributeKey<Long> HOP = AttributeKey.longKey("baton.hop");
  AttributeKey<Long> DELIVERY_COUNT = AttributeKey.longKey("baton.message.delivery_count");

  /** One agent's view of the transport. */
  interface Agent extends AutoCloseable {
    Publisher publisher();

    Subscriber subscriber();

    /** Returns once {@code subscription} is sure to receive what is published from now on. */
    void ready(Subscription subscription) throws Exception;

    /**
     * A subscriber whose broker redelivers a message whose handler threw (JetStream, Kafka's
     * failure policy), with whatever {@code destination} needs prepared (a stream, a topic).
     */
    Subscriber redeliveringSubscriber(String destination) throws Exception;

    /** Publishes with the raw broker client: exactly these headers ({@code null}: none). */
    void rawPublish(String destination, @Nullable Map<String, List<String>> headers, byte[] payload)
        throws Exception;

    /**
     * Subscribes with the raw broker client, runs {@code publish}, and returns the headers of the
     * first message that arrives.
     */
    Map<String, List<String>> rawReceive(String destination, Callable<?> publish) throws Exception;

    /**
     * Publishes where {@link #redeliveringSubscriber} consumes with the broker's acknowledgement
     * (JetStream's publisher on NATS); the transport's plain publisher by default.
     */
    default Publisher durablePublisher() {
      return publisher();
    }

    /** Reads the backlog now (consumer lag, queue depth) instead of on the probe's schedule. */
    void probe();

    /** Whether the raw client and the broker can carry these headers at all. */
    default boolean canCarry(@Nullable Map<String, List<String>> headers) {
      return true;
    }
  }

  // ---- implemented by the transport's test ----

  /** The transport's {@code messaging.system}. */
  String system();

  /** Whether reply destinations are temporary (NATS inboxes) rather than a standing topic. */
  default boolean repliesUseTemporaryDestinations() {
    return true;
  }

  /** Opens a new agent (its own broker connection) instrumented by {@code baton}. */
  Agent open(Baton baton) throws Exception;

  /**
   * Runs the transport's README example with {@code openTelemetry}: a writer asks a reviewer for a
   * verdict on {@code drafts.review}, the reviewer forwards the draft on {@code drafts.archive},
   * and the writer's own subscription receives it; returns what it received.
   */
  String runReadmeExample(OpenTelemetry openTelemetry) throws Exception;

  /** The source file of that example, whose marked lines the README must show verbatim. */
  Path readmeExampleSource();

  // ---- implemented by TransportContract ----

  /** The in-memory OpenTelemetry whose finished spans the scenarios read. */
  OpenTelemetryExtension otel();

  /** An agent whose {@code OpenTelemetry} is {@code openTelemetry} (other propagators). */
  Agent agent(String name, OpenTelemetry openTelemetry, Consumer<Baton.Builder> config)
      throws Exception;

  /** This test's registry, fed by {@link #metrics()}. */
  PrometheusMeterRegistry registry();

  /** This test's backplane metrics, bound to {@link #registry()}. */
  BackplaneMetrics metrics();

  // ---- helpers ----

  default OpenTelemetry openTelemetry() {
    return otel().getOpenTelemetry();
  }

  default Agent agent(String name) throws Exception {
    return agent(name, b -> {});
  }

  default Agent agent(String name, Consumer<Baton.Builder> config) throws Exception {
    return agent(name, openTelemetry(), config);
  }

  /** An agent whose events feed this test's {@link #metrics()}. */
  default Agent measuredAgent(String name) throws Exception {
    return agent(name, b -> b.addListener(metrics()));
  }

  default Meters meters() {
    return new Meters(registry());
  }

  default String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  default byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The finished send and process spans, once there are at least {@code atLeast} (a transport's
   * batch {@code poll} spans are left out: they are asserted by that transport's own tests).
   */
  default List<SpanData> spans(int atLeast) {
    return Await.size("finished spans", atLeast, this::handOffSpans);
  }

  /** The finished send and process spans now. */
  default List<SpanData> handOffSpans() {
    return otel().getSpans().stream()
        .filter(s -> s.getKind() == SpanKind.PRODUCER || s.getKind() == SpanKind.CONSUMER)
        .toList();
  }

  /** The tree of exactly {@code count} finished send and process spans. */
  default SpanTree tree(int count) {
    List<SpanData> spans = spans(count);
    assertThat(spans).as("send and process spans").hasSize(count);
    return SpanTree.of(spans);
  }

  /** The one span in {@code spans} named {@code name} and made by {@code agent}. */
  default SpanData span(List<SpanData> spans, String name, String agent) {
    List<SpanData> found =
        spans.stream()
            .filter(
                s -> s.getName().equals(name) && agent.equals(s.getAttributes().get(AGENT_NAME)))
            .toList();
    assertThat(found).as("spans named '%s' by %s in %s", name, agent, spans).hasSize(1);
    return found.get(0);
  }

  /** {@code child} is {@code parent}'s child in the same trace, and links to it. */
  default void assertChildAndLinked(SpanData child, SpanData parent) {
    assertThat(child.getTraceId()).isEqualTo(parent.getTraceId());
    assertThat(child.getParentSpanId()).isEqualTo(parent.getSpanId());
    assertThat(child.getLinks())
        .extracting(LinkData::getSpanContext)
        .extracting(SpanContext::getSpanId)
        .contains(parent.getSpanId());
  }
}
