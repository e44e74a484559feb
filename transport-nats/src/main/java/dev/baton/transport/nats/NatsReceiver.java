/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Settler;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.Outcome;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;

/** Turns jnats deliveries into engine deliveries. Shared by core and JetStream subscribers. */
final class NatsReceiver {

  private NatsReceiver() {}

  /**
   * A core NATS handler for the subscription on {@code subscribed} that hands every message to the
   * engine with {@code handler}.
   */
  static io.nats.client.MessageHandler handler(
      NatsSender sender, String subscribed, String group, MessageHandler handler) {
    return handler(sender, subscribed, group, false, 0, 0, handler);
  }

  /**
   * A jnats handler that hands every message to the engine with {@code handler}; on JetStream a
   * failed delivery is nak'ed for redelivery, or terminated (given up) when it was the last of
   * {@code maxDeliveries} (0: no limit), and a running handler's message is kept from redelivery
   * with in-progress acknowledgements, a third of {@code ackWaitNanos} apart. A wildcard
   * subscription's subject ({@code subscribed}) is its deliveries' template: their spans are named
   * for it, as the messaging conventions ask.
   */
  static io.nats.client.MessageHandler handler(
      NatsSender sender,
      String subscribed,
      String group,
      boolean jetStream,
      int maxDeliveries,
      long ackWaitNanos,
      MessageHandler handler) {
    MessagingEngine<Headers> engine = sender.engine();
    String inboxTemplate = sender.inboxTemplate();
    String wildcard = isWildcard(subscribed) ? subscribed : null;
    return msg -> {
      String subject = msg.getSubject();
      boolean inbox = sender.isInbox(subject);
      Delivery delivery =
          Delivery.of(
              subject,
              group,
              NatsSender.payload(msg),
              jetStream ? null : msg.getReplyTo(),
              jetStream ? deliveryCount(msg) : 1,
              inbox ? inboxTemplate : wildcard,
              inbox,
              null);
      Settler settler =
          jetStream
              ? new JetStreamSettler(
                  msg, maxDeliveries > 0 && delivery.deliveryCount() >= maxDeliveries, ackWaitNanos)
              : Settler.none();
      try {
        engine.deliver(delivery, msg.getHeaders(), handler, settler);
      } catch (Exception e) {
        // The handler's own exception, unchanged, on to jnats as it would go without Baton.
        throw NatsReceiver.<RuntimeException>sneaky(e);
      }
    };
  }

  /** Whether {@code subject} has a wildcard token ({@code *} or {@code >}). */
  static boolean isWildcard(String subject) {
    int start = 0;
    while (start <= subject.length()) {
      int dot = subject.indexOf('.', start);
      int end = dot < 0 ? subject.length() : dot;
      if (end - start == 1 && (subject.charAt(start) == '*' || subject.charAt(start) == '>')) {
        return true;
      }
      if (dot < 0) {
        return false;
      }
      start = dot + 1;
    }
    return false;
  }

  private static int deliveryCount(Message msg) {
    try {
      NatsJetStreamMetaData meta = msg.metaData();
      return meta == null ? 1 : (int) Math.min(Integer.MAX_VALUE, meta.deliveredCount());
    } catch (RuntimeException e) {
      return 1;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }

  private record JetStreamSettler(Message msg, boolean last, long holdNanos) implements Settler {
    @Override
    public void ack() {
      msg.ack();
    }

    @Override
    public void extend() {
      msg.inProgress();
    }

    @Override
    public void nak() {
      if (last) {
        msg.term(); // the last allowed delivery failed: give up, do not loop
      } else {
        msg.nak();
      }
    }

    @Override
    public Outcome failureOutcome() {
      return last ? Outcome.DEAD_LETTERED : Outcome.NAK;
    }

    @Override
    public void refuse(String reason) {
      msg.term(); // refused by policy: never redelivered
    }
  }
}
