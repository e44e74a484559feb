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

  /** {@code gen_ai.agent.name}: the agent that made the span. */
  AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");

  /** {@code baton.sender.agent.name}: the agent that sent the message a process span handles. */
  AttributeKey<String> SENDER_NAME = AttributeKey.stringKey("baton.sender.agent.name");

  /** {@code messaging.message.id}: the message's id. */
  AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

  /**
   * {@code messaging.message.conversation_id}: the conversation id, as the messaging conventions
   * name it.
   */
  AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("messaging.message.conversation_id");

  /** {@code baton.hop}: the message's hand-off count within its trace. */
  AttributeKey<Long> HOP = AttributeKey.longKey("baton.hop");

  /** {@code baton.message.delivery_count}: how often the broker delivered the message. */
  AttributeKey<Long> DELIVERY_COUNT = AttributeKey.longKey("baton.message.delivery_count");

  /** One agent's view of the transport. */
  interface Agent extends AutoCloseable {
    /**
     * The agent's instrumented publisher.
     *
     * @return the publisher
     */
    Publisher publisher();

    /**
     * The agent's instrumented subscriber.
     *
     * @return the subscriber
     */
    Subscriber subscriber();

    /**
     * Returns once {@code subscription} is sure to receive what is published from now on.
     *
     * @param subscription the subscription to wait for
     * @throws Exception when the subscription is not ready in time
     */
    void ready(Subscription subscription) throws Exception;

    /**
     * {@return a subscriber whose broker redelivers a message whose handler threw (JetStream,
     * Kafka's failure policy), with whatever {@code destination} needs prepared (a stream, a
     * topic)}
     *
     * @param destination the destination the scenario will subscribe to
     * @throws Exception when the broker refuses what the subscriber needs
     */
    Subscriber redeliveringSubscriber(String destination) throws Exception;

    /**
     * Publishes with the raw broker client: exactly these headers ({@code null}: none).
     *
     * @param destination the subject or topic
     * @param headers the headers to send, or {@code null} for none
     * @param payload the payload
     * @throws Exception when the raw client fails to publish
     */
    void rawPublish(String destination, @Nullable Map<String, List<String>> headers, byte[] payload)
        throws Exception;

    /**
     * Subscribes with the raw broker client, runs {@code publish}, and returns the headers of the
     * first message that arrives.
     *
     * @param destination the subject or topic to subscribe to
     * @param publish sends the message, once the subscription is ready
     * @return the arrived message's headers, several values per name allowed
     * @throws Exception when no message arrives in time
     */
    Map<String, List<String>> rawReceive(String destination, Callable<?> publish) throws Exception;

    /**
     * Publishes where {@link #redeliveringSubscriber} consumes with the broker's acknowledgement
     * (JetStream's publisher on NATS); the transport's plain publisher by default.
     *
     * @return the durable path's publisher
     */
    default Publisher durablePublisher() {
      return publisher();
    }

    /** Reads the backlog now (consumer lag, queue depth) instead of on the probe's schedule. */
    void probe();

    /**
     * {@return whether the raw client and the broker can carry these headers at all}
     *
     * @param headers the headers to send, or {@code null} for none
     */
    default boolean canCarry(@Nullable Map<String, List<String>> headers) {
      return true;
    }
  }

  // ---- implemented by the transport's test ----

  /** {@return the transport's {@code messaging.system}} */
  String system();

  /**
   * {@return whether reply destinations are temporary (NATS inboxes) rather than a standing topic}
   */
  default boolean repliesUseTemporaryDestinations() {
    return true;
  }

  /**
   * Opens a new agent (its own broker connection) instrumented by {@code baton}.
   *
   * @param baton the Baton the agent's transport is instrumented by
   * @return the agent; the test closes it
   * @throws Exception when the broker connection fails
   */
  Agent open(Baton baton) throws Exception;

  /**
   * Runs the transport's README example with {@code openTelemetry}: a writer asks a reviewer for a
   * verdict on {@code drafts.review}, the reviewer forwards the draft on {@code drafts.archive},
   * and the writer's own subscription receives it; returns what it received.
   *
   * @param openTelemetry the OpenTelemetry the example's agents report to
   * @return what the writer printed
   * @throws Exception when the example fails
   */
  String runReadmeExample(OpenTelemetry openTelemetry) throws Exception;

  /** {@return the source file of that example, whose marked lines the README must show verbatim} */
  Path readmeExampleSource();

  // ---- implemented by TransportContract ----

  /** {@return the in-memory OpenTelemetry whose finished spans the scenarios read} */
  OpenTelemetryExtension otel();

  /**
   * {@return an agent whose {@code OpenTelemetry} is {@code openTelemetry} (other propagators)}
   *
   * @param name the agent's name
   * @param openTelemetry the OpenTelemetry the agent reports to
   * @param config further settings of the agent's Baton
   * @throws Exception when the broker connection fails
   */
  Agent agent(String name, OpenTelemetry openTelemetry, Consumer<Baton.Builder> config)
      throws Exception;

  /** {@return this test's registry, fed by {@link #metrics()}} */
  PrometheusMeterRegistry registry();

  /** {@return this test's backplane metrics, bound to {@link #registry()}} */
  BackplaneMetrics metrics();

  // ---- helpers ----

  /**
   * The OpenTelemetry of {@link #otel()}.
   *
   * @return the in-memory OpenTelemetry
   */
  default OpenTelemetry openTelemetry() {
    return otel().getOpenTelemetry();
  }

  /**
   * An agent with default settings on this test's OpenTelemetry.
   *
   * @param name the agent's name
   * @return the agent; the test closes it
   * @throws Exception when the broker connection fails
   */
  default Agent agent(String name) throws Exception {
    return agent(name, b -> {});
  }

  /**
   * An agent on this test's OpenTelemetry.
   *
   * @param name the agent's name
   * @param config further settings of the agent's Baton
   * @return the agent; the test closes it
   * @throws Exception when the broker connection fails
   */
  default Agent agent(String name, Consumer<Baton.Builder> config) throws Exception {
    return agent(name, openTelemetry(), config);
  }

  /**
   * {@return an agent whose events feed this test's {@link #metrics()}}
   *
   * @param name the agent's name
   * @throws Exception when the broker connection fails
   */
  default Agent measuredAgent(String name) throws Exception {
    return agent(name, b -> b.addListener(metrics()));
  }

  /**
   * The meters of {@link #registry()}, read by name and labels.
   *
   * @return the meters
   */
  default Meters meters() {
    return new Meters(registry());
  }

  /**
   * A name no other test uses, for a destination or group.
   *
   * @param prefix what the name starts with
   * @return {@code prefix}, a hyphen and eight random hex digits
   */
  default String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The UTF-8 encoding of {@code s}.
   *
   * @param s the text
   * @return its bytes
   */
  default byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@return the finished send and process spans, once there are at least {@code atLeast} (a
   * transport's batch {@code poll} spans are left out: they are asserted by that transport's own
   * tests)}
   *
   * @param atLeast the least number of spans to wait for
   */
  default List<SpanData> spans(int atLeast) {
    return Await.size("finished spans", atLeast, this::handOffSpans);
  }

  /** {@return the finished send and process spans now} */
  default List<SpanData> handOffSpans() {
    return otel().getSpans().stream()
        .filter(s -> s.getKind() == SpanKind.PRODUCER || s.getKind() == SpanKind.CONSUMER)
        .toList();
  }

  /**
   * {@return the tree of exactly {@code count} finished send and process spans}
   *
   * @param count the number of spans
   */
  default SpanTree tree(int count) {
    List<SpanData> spans = spans(count);
    assertThat(spans).as("send and process spans").hasSize(count);
    return SpanTree.of(spans);
  }

  /**
   * {@return the one span in {@code spans} named {@code name} and made by {@code agent}}
   *
   * @param spans the spans to search
   * @param name the span's name
   * @param agent the name of the agent that made it
   */
  default SpanData span(List<SpanData> spans, String name, String agent) {
    List<SpanData> found =
        spans.stream()
            .filter(
                s -> s.getName().equals(name) && agent.equals(s.getAttributes().get(AGENT_NAME)))
            .toList();
    assertThat(found).as("spans named '%s' by %s in %s", name, agent, spans).hasSize(1);
    return found.get(0);
  }

  /**
   * {@code child} is {@code parent}'s child in the same trace, and links to it.
   *
   * @param child the span that should be the child
   * @param parent the span that should be the parent
   */
  default void assertChildAndLinked(SpanData child, SpanData parent) {
    assertThat(child.getTraceId()).isEqualTo(parent.getTraceId());
    assertThat(child.getParentSpanId()).isEqualTo(parent.getSpanId());
    assertThat(child.getLinks())
        .extracting(LinkData::getSpanContext)
        .extracting(SpanContext::getSpanId)
        .contains(parent.getSpanId());
  }
}
