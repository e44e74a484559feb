/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.docs.toy;

import dev.baton.propagation.Baton;
import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.propagation.spi.TransportBase;
import dev.baton.propagation.spi.TransportPublisher;
import dev.baton.propagation.spi.TransportSubscriber;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport docs/writing-a-transport.md builds: Baton over {@link ToyBroker}, whose calls are
 * shaped like RabbitMQ's client. Publish, subscribe with groups, ack and nack with redelivery,
 * request and reply; a broker without persistence, so its durable publisher and subscriber are the
 * plain ones. {@code ToyTransportTest} runs it.
 */
// spotless:off
// docs example: start
public final class ToyBaton extends TransportBase {
  private static final Logger log = LoggerFactory.getLogger(ToyBaton.class);
  private final ToyBroker channel;
  private final MessagingEngine<Map<String, Object>> engine;
  private final Map<String, CompletableFuture<ToyBroker.ToyMessage>> pendingReplies = new ConcurrentHashMap<>();
  private final String replyQueue = "toy.replies." + UUID.randomUUID();
  private final AutoCloseable replies;

  private ToyBaton(Builder b) {
    super("ToyBaton", b.baton, b);              // the name appears in "this ToyBaton is closed"
    channel = b.broker;
    engine = MessagingEngine.create(b.baton, new ToyWire());
    replies = channel.consume(replyQueue, "", this::onReply);
    open(TransportPublisher.create(this, this::publishAndForget, this::publish, this::request),
         TransportSubscriber.create(this, this::subscribeToy, engine, this::reply),
         "baton-toy-probe");
  }

  @Override protected void probe() {           // off the message path, every backlog interval
    for (Subscription s : subscriptions()) {
      ToyBroker.Waiting waiting = channel.waiting(s.destination(), s.group());
      engine.events().queueDepth(s.destination(), s.group(), waiting.messages(), waiting.bytes());
    }
  }

  @Override protected void closeTransport() {  // what only this transport holds
    try {
      replies.close();
    } catch (Exception e) {
      engine.events().telemetryFailure("closing the reply consumer", e);
    }
  }

  @Override public Publisher durablePublisher() { return publisher(); }    // no persistence here
  @Override public Subscriber durableSubscriber() { return subscriber(); }
  // docs example: end
  // spotless:on

  /** A transport for {@code baton} on {@code broker}. */
  public static ToyBaton create(Baton baton, ToyBroker broker) {
    return new Builder(baton, broker).build();
  }

  /** A builder, for the settings every transport has. */
  public static Builder builder(Baton baton, ToyBroker broker) {
    return new Builder(baton, broker);
  }

  // spotless:off
  // docs example: start
  private CompletableFuture<PublishReceipt> publish(OutboundMessage message) {
    Send<Map<String, Object>> send = engine.startSend(message, SendOptions.PUBLISH);
    CompletableFuture<Long> confirm = send.call(() -> channel.publish(message.destination(),
        send.headers(), message.payload(), null));        // a client exception fails the span, unchanged
    return send.awaitAck(confirm, tag -> new PublishReceipt(message.destination(), send.id(), null, -1, false), true);
  }
  // docs example: end
  // spotless:on

  private void publishAndForget(OutboundMessage message) {
    publish(message);
  }

  /** A request: a send with this transport's reply queue, answered by {@link #onReply}. */
  private CompletableFuture<Message> request(OutboundMessage outbound, Duration timeout) {
    String id = outbound.id() == null ? MessagingEngine.newMessageId() : outbound.id();
    Send<Map<String, Object>> send =
        engine.startSend(outbound.withId(id), SendOptions.PUBLISH.withConversation(id));
    send.headers().put("toy-correlation", id);
    CompletableFuture<ToyBroker.ToyMessage> reply = new CompletableFuture<>();
    pendingReplies.put(id, reply);
    reply.whenComplete((r, e) -> pendingReplies.remove(id));
    send.call(
        () ->
            channel.publish(
                outbound.destination(), send.headers(), outbound.payload(), replyQueue));
    return send.awaitReply(
        reply,
        timeout,
        r -> Delivery.of(r.queue(), "", r.body(), null, 1, "toy.replies.*", true, null),
        ToyBroker.ToyMessage::headers);
  }

  /** A reply to a request: a send to the requester's reply queue, in its conversation. */
  private void reply(OutboundMessage reply, String conversationId) {
    Send<Map<String, Object>> send =
        engine.startSend(
            reply,
            SendOptions.PUBLISH.withTemporary("toy.replies.*").withConversation(conversationId));
    send.headers().put("toy-correlation", conversationId);
    send.call(() -> channel.publish(reply.destination(), send.headers(), reply.payload(), null));
    send.end(null);
  }

  private void onReply(ToyBroker.ToyMessage m) {
    channel.basicAck(m.tag());
    Object id = m.headers().get("toy-correlation");
    CompletableFuture<ToyBroker.ToyMessage> waiting =
        id == null ? null : pendingReplies.get(id.toString());
    if (waiting != null) {
      waiting.complete(m);
    }
  }

  private Subscription subscribeToy(String queue, @Nullable String group, MessageHandler handler) {
    String name = group == null ? "" : group;
    AutoCloseable consumer =
        channel.consume(
            queue,
            name,
            m -> {
              try {
                onMessage(m, name, handler);
              } catch (Exception e) {
                log.debug(
                    "handler failed on {}; nacked for redelivery", queue, e); // as the client would
              }
            });
    Subscription subscription =
        new Subscription() {
          @Override
          public String destination() {
            return queue;
          }

          @Override
          public String group() {
            return name;
          }

          @Override
          public boolean drain(Duration timeout) {
            close();
            return true;
          }

          @Override
          public void close() {
            untrack(this);
            try {
              consumer.close();
            } catch (Exception e) {
              engine.events().telemetryFailure("closing a consumer of " + queue, e);
            }
          }
        };
    return track(subscription);
  }

  // spotless:off
  // docs example: start
  void onMessage(ToyBroker.ToyMessage m, String group, MessageHandler handler) throws Exception {
    engine.deliver(
        Delivery.of(m.queue(), group, m.body(), m.replyTo(), m.redeliveryCount() + 1, null, false,
            span -> span.setAttribute("toy.delivery_tag", m.tag())),  // only when recorded
        m.headers(), handler,
        new Settler() {
          public void ack() { channel.basicAck(m.tag()); }
          public void nak() { channel.basicNack(m.tag(), m.redeliveryCount() < 2); } // 3 tries
        });
  }
  // docs example: end
  // spotless:on

  /** Builds a {@link ToyBaton}. */
  public static final class Builder extends TransportBase.Builder<Builder> {
    private final Baton baton;
    private final ToyBroker broker;

    Builder(Baton baton, ToyBroker broker) {
      this.baton = baton;
      this.broker = broker;
    }

    /** The transport. */
    public ToyBaton build() {
      checkSettings();
      return new ToyBaton(this);
    }
  }
}
