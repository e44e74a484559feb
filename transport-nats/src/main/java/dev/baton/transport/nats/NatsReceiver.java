package dev.baton.transport.nats;

import dev.baton.propagation.Delivery;
import dev.baton.propagation.MessagingEngine;
import dev.baton.propagation.Settler;
import dev.baton.transport.MessageHandler;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;

/** Turns jnats deliveries into engine deliveries. Shared by core and JetStream subscribers. */
final class NatsReceiver {

  private NatsReceiver() {}

  /** A jnats handler that hands every message to the engine with {@code handler}. */
  static io.nats.client.MessageHandler handler(
      NatsSender sender, String group, boolean jetStream, MessageHandler handler) {
    MessagingEngine engine = sender.engine();
    return msg -> {
      Headers headers = msg.getHeaders();
      Delivery delivery =
          Delivery.of(
                  msg.getSubject(),
                  group,
                  NatsHeaders.last(headers, NatsHeaders.MSG_ID),
                  NatsSender.payload(msg))
              .withReplyTo(jetStream ? null : msg.getReplyTo())
              .withDeliveryCount(deliveryCount(msg, jetStream));
      if (sender.isInbox(msg.getSubject())) {
        delivery = delivery.withTemporary(sender.inboxTemplate());
      }
      Settler settler = jetStream ? new JetStreamSettler(msg) : Settler.none();
      try {
        engine.deliver(delivery, headers, NatsHeaders.GETTER, handler, settler);
      } catch (Exception e) {
        // The handler's own exception, unchanged, on to jnats as it would go without Baton.
        throw NatsReceiver.<RuntimeException>sneaky(e);
      }
    };
  }

  private static int deliveryCount(Message msg, boolean jetStream) {
    if (!jetStream) {
      return 1;
    }
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

  private record JetStreamSettler(Message msg) implements Settler {
    @Override
    public void ack() {
      msg.ack();
    }

    @Override
    public void nak() {
      msg.nak();
    }
  }
}
