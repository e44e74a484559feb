/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Responder;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A transport's subscriber with the part every transport shares written once: the argument and
 * closed checks of {@link #subscribe}, and {@link #respond}, which subscribes a handler that
 * answers each request through the transport's {@link ReplyChannel}, in the request's conversation
 * and inside its process span. The transport supplies only how it opens a subscription.
 */
public final class TransportSubscriber implements Subscriber {

  /** How a transport opens one subscription; the arguments are checked, the transport open. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Subscribes {@code handler} to {@code destination}, in {@code group} when not null.
     *
     * @param destination the subject or topic
     * @param group the group, or {@code null}
     * @param handler the handler, already wrapped by the engine
     * @return the subscription
     */
    Subscription open(String destination, @Nullable String group, MessageHandler handler);
  }

  /** How a transport sends a reply to a request. */
  @FunctionalInterface
  public interface ReplyChannel {
    /**
     * Sends {@code reply} (its destination the request's reply address) in the request/reply
     * exchange {@code conversationId} (the request's message id).
     *
     * @param reply the reply
     * @param conversationId the exchange's conversation id
     * @throws Exception when the broker client fails to send
     */
    void reply(OutboundMessage reply, String conversationId) throws Exception;
  }

  private final TransportBase transport;
  private final Opener opener;
  private final @Nullable ReplyChannel replies;
  private final String noReplies;

  private TransportSubscriber(
      TransportBase transport, Opener opener, @Nullable ReplyChannel replies, String noReplies) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.opener = Objects.requireNonNull(opener, "opener");
    this.replies = replies;
    this.noReplies = noReplies;
  }

  /**
   * {@return a subscriber for {@code transport}; {@code replies} sends a reply the way the broker
   * does (also the engine's answer to a request it refused)}
   *
   * @param transport the transport
   * @param opener subscribes the broker's way
   * @param engine its engine
   * @param replies sends replies the broker's way
   */
  public static Subscriber create(
      TransportBase transport, Opener opener, MessagingEngine<?> engine, ReplyChannel replies) {
    Objects.requireNonNull(replies, "replies");
    engine.replyWith(replies);
    return new TransportSubscriber(transport, opener, replies, "");
  }

  /**
   * {@return a subscriber that cannot answer requests; {@code why} says what to use instead}
   *
   * @param transport the transport
   * @param opener subscribes the broker's way
   * @param why what to use instead of requests
   */
  public static Subscriber withoutReplies(TransportBase transport, Opener opener, String why) {
    return new TransportSubscriber(transport, opener, null, Objects.requireNonNull(why, "why"));
  }

  @Override
  public Subscription subscribe(
      String destination, @Nullable String group, MessageHandler handler) {
    transport.checkOpen();
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(handler, "handler");
    return opener.open(destination, group, handler);
  }

  @Override
  public Subscription respond(String destination, @Nullable String group, Responder responder) {
    if (replies == null) {
      throw new UnsupportedOperationException(noReplies);
    }
    return subscribe(destination, group, respondWith(responder, replies));
  }

  /**
   * A handler that answers requests with {@code responder} and sends each reply through {@code
   * channel}, in the request's conversation, while the request's process span is current.
   */
  private static MessageHandler respondWith(Responder responder, ReplyChannel channel) {
    Objects.requireNonNull(responder, "responder");
    return request -> {
      byte[] reply = responder.respond(request);
      String replyTo = request.replyTo();
      if (replyTo != null) {
        channel.reply(
            OutboundMessage.of(replyTo, reply == null ? new byte[0] : reply), request.id());
      }
    };
  }
}
