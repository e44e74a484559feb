/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.Baton;
import dev.baton.propagation.internal.BatonAccess;
import dev.baton.propagation.internal.BatonHeaderCodec;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The tracing engine for one messaging system, shared by every transport. It owns the send and
 * receive templates: a transport supplies only its {@link Wire} (header type, id header), builds
 * its client message from {@link Send#headers()}, calls its client, and hands each received message
 * to {@link #deliver} with a {@link Settler}. For transport modules, not agent code.
 *
 * <p>Send: message id, the caller's headers, the PRODUCER span {@code send {destination}} (child of
 * the current context, or past the hop limit a new trace linked to it), {@code traceparent}, {@code
 * tracestate}, {@code baggage} within the policy, Baton's header (hop, sent-at, id, agent), and on
 * the end the {@code sent} event. Receive: context, baggage and Baton's header read and checked
 * (bad input: a new root span and a rejected-context event, never an exception), the CONSUMER span
 * {@code process {destination}}, context and baggage current around the handler, ack or nak, the
 * span's end and the {@code received} and {@code processed} events.
 *
 * <p>The message path builds nothing for a span that is not recorded (attributes, links) and no
 * event when nobody listens. Nothing here throws into the caller because of Baton: a failure inside
 * the engine is counted ({@link Baton#telemetryFailures()}), reported to the listeners, and the
 * message goes on without tracing. Handler exceptions pass through unchanged. Thread-safe.
 *
 * @param <H> the broker's header type
 */
public final class MessagingEngine<H> {

  /** The most links a poll span gets: the OpenTelemetry SDK's default limit. */
  public static final int MAX_POLL_LINKS = 128;

  private final Baton baton;
  private final Wire<H> wire;
  private final TransportEvents events;
  private final SendPath<H> send;
  private final ReceivePath<H> receive;

  private MessagingEngine(Baton baton, Wire<H> wire) {
    this.baton = baton;
    this.wire = wire;
    BatonAccess.Parts parts = BatonAccess.parts();
    var tracer = parts.tracer(baton);
    var names = new Names(wire.system(), baton.agentName(), baton.agentId(), parts.naming(baton));
    var configured = ConfiguredPropagator.of(parts.propagator(baton), wire);
    this.events = new TransportEvents(wire.system(), baton.agentName(), parts.listeners(baton));
    boolean dropsUnsampledChildren = parts.dropsUnsampledChildren(baton);
    this.receive =
        new ReceivePath<>(baton, wire, tracer, names, configured, events, dropsUnsampledChildren);
    this.send =
        new SendPath<>(
            baton, wire, tracer, names, configured, events, receive, dropsUnsampledChildren);
  }

  /**
   * {@return the engine for {@code baton}'s agent on the broker {@code wire} describes}
   *
   * @param <H> the broker's header type
   * @param baton the agent's Baton
   * @param wire the broker's headers, as the engine reads and writes them
   */
  public static <H> MessagingEngine<H> create(Baton baton, Wire<H> wire) {
    return new MessagingEngine<>(
        Objects.requireNonNull(baton, "baton"), Objects.requireNonNull(wire, "wire"));
  }

  /** {@return the messaging system ({@code messaging.system})} */
  public String system() {
    return wire.system();
  }

  /** {@return the Baton this engine belongs to} */
  public Baton baton() {
    return baton;
  }

  /** {@return the broker's headers as this engine reads and writes them} */
  public Wire<H> wire() {
    return wire;
  }

  /** {@return what the transport reports off the message path: connection, backlog, failures} */
  public TransportEvents events() {
    return events;
  }

  /** {@return a new random message id: 32 lower-case hex digits} */
  public static String newMessageId() {
    return BatonHeaderCodec.newMessageId();
  }

  /**
   * Starts one send: new headers with the caller's headers, the context and Baton's header written
   * (Baton's replace the caller's of the same name), and the PRODUCER span started. The caller
   * sends the message and then ends the returned {@link Send}. Never throws because of a telemetry
   * failure.
   *
   * @param message the message to send
   * @param options how to send it
   * @return the send, to finish with the broker's answer
   * @throws IllegalStateException when the agent requires a conversation id ({@code
   *     ConversationMode.REQUIRE}) and the message has none: nothing is sent
   */
  public Send<H> startSend(OutboundMessage message, SendOptions options) {
    return send.startSend(message, options, wire.newHeaders());
  }

  /**
   * {@link #startSend(OutboundMessage, SendOptions)} writing into {@code headers}: empty, writable
   * headers the transport already holds (those of the client message it built), so none are made
   * and copied.
   *
   * @param message the message to send
   * @param options how to send it
   * @param headers the headers to write into
   * @return the send, to finish with the broker's answer
   */
  public Send<H> startSend(OutboundMessage message, SendOptions options, H headers) {
    return send.startSend(message, options, Objects.requireNonNull(headers, "headers"));
  }

  /**
   * Handles one delivery: reads and checks the context (bad input → a new root span and a
   * rejected-context event, never an exception), starts the CONSUMER span {@code process
   * {destination}} as a child of the sender's span and linked to it (or as a new linked trace, by
   * the continuation and hop policies), makes context and baggage current, calls {@code handler},
   * then acks (returned) or naks (threw) through {@code settler} and ends the span.
   *
   * @param delivery the delivery
   * @param headers its headers, or {@code null} for none
   * @param handler the agent's handler
   * @param settler acknowledges the message the broker's way
   * @throws Exception exactly what {@code handler} threw, the same instance, after the nak; or the
   *     broker client's exception from {@code settler}
   */
  public void deliver(
      Delivery delivery, @Nullable H headers, MessageHandler handler, Settler settler)
      throws Exception {
    receive.deliver(delivery, headers, handler, settler, null);
  }

  /**
   * {@link #deliver(Delivery, Object, MessageHandler, Settler)} for a message of a polled batch:
   * the batch's {@code poll} span gets a link to the message's sender.
   *
   * @param delivery the delivery
   * @param headers its headers, or {@code null} for none
   * @param handler the agent's handler
   * @param settler acknowledges the message the broker's way
   * @param poll the batch's poll span
   * @throws Exception as {@link #deliver(Delivery, Object, MessageHandler, Settler)} does
   */
  public void deliver(
      Delivery delivery,
      @Nullable H headers,
      MessageHandler handler,
      Settler settler,
      @Nullable Poll poll)
      throws Exception {
    receive.deliver(delivery, headers, handler, settler, poll);
  }

  /**
   * How this transport answers a request the engine refused without calling its handler (an empty
   * reply with {@code baton-refused}); {@link TransportSubscriber#create} sets it.
   */
  void replyWith(TransportSubscriber.ReplyChannel channel) {
    receive.replyWith(channel);
  }

  /**
   * Reads a received message into a {@link Message} without making a span (for replies that the
   * requester's span covers). Never throws.
   *
   * @param delivery the delivery
   * @param headers its headers, or {@code null} for none
   * @return the message
   */
  public Message readMessage(Delivery delivery, @Nullable H headers) {
    return receive.readMessage(delivery, headers);
  }

  /**
   * Starts the CLIENT span {@code poll {destination}} for one non-empty batch of {@code count}
   * messages from a poll that began at {@code start} and returned at {@code end} (the conventions'
   * batch guidance; each message still gets its own {@code process} span). Hand it to {@link
   * #deliver(Delivery, Object, MessageHandler, Settler, Poll)} for each message, then {@link
   * Poll#end()} it. Never throws.
   *
   * @param destination the subject or topic polled
   * @param group the consumer group
   * @param start when the poll started
   * @param end when it returned
   * @param count how many messages it returned, at least 1
   * @return the poll span, to end after the batch's messages are handled
   */
  public Poll startPoll(String destination, String group, Instant start, Instant end, int count) {
    return receive.startPoll(destination, group, start, end, count);
  }
}
