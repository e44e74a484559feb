/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.probe.DeniedCalls;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.Subscription;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Opens JetStream consumptions on one stream for {@link NatsBaton}: a durable consumer per group
 * (ephemeral without one) filtered on the subject, explicit acks, fed to the engine on a dispatcher
 * of its own, with a lag probe. Thread-safe.
 */
record JetStreamConsumers(
    Connection connection,
    NatsSender sender,
    String stream,
    JetStreamConsumers.Delivery delivery,
    Supplier<Dispatcher> dispatchers,
    JetStreamConsumers.Tracker tracker,
    DeniedCalls denied) {

  /** The redelivery settings of the consumers Baton creates (0 / null: the server's defaults). */
  record Delivery(int maxDeliveries, @Nullable Duration ackWait) {}

  /** How {@link NatsBaton} tracks a new subscription. */
  @FunctionalInterface
  interface Tracker {
    NatsSubscription started(
        Dispatcher dispatcher,
        String destination,
        String group,
        @Nullable JetStreamConsumption consumer,
        @Nullable JetStreamLag lag,
        @Nullable UnreadableMessages unreadable);
  }

  Subscription open(String destination, @Nullable String group, MessageHandler handler) {
    ConsumerContext consumerContext = consumer(destination, group);
    String name = group == null ? "" : group;
    Dispatcher dispatcher = dispatchers.get();
    JetStreamConsumption consumer;
    try {
      consumer =
          JetStreamConsumption.start(
              consumerContext,
              dispatcher,
              NatsReceiver.handler(
                  sender,
                  destination,
                  name,
                  true,
                  delivery.maxDeliveries(),
                  ackWaitNanos(consumerContext),
                  handler));
    } catch (IOException e) {
      connection.closeDispatcher(dispatcher);
      throw new UncheckedIOException(e);
    } catch (JetStreamApiException e) {
      connection.closeDispatcher(dispatcher);
      throw new IllegalStateException(e.getMessage(), e);
    }
    JetStreamLag lag;
    try {
      lag =
          new JetStreamLag(
              connection,
              connection.jetStreamManagement(),
              consumerContext,
              stream,
              destination,
              denied);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    UnreadableMessages unreadable =
        new UnreadableMessages(
            connection,
            () -> {
              try {
                return consumerContext.getConsumerInfo();
              } catch (IOException | JetStreamApiException e) {
                throw new IllegalStateException(e.getMessage(), e);
              }
            },
            stream,
            sender.engine());
    return tracker.started(dispatcher, destination, name, consumer, lag, unreadable);
  }

  /** The consumer's ack wait (the server's default, 30 s, when it says none). */
  private static long ackWaitNanos(ConsumerContext context) {
    ConsumerInfo info = context.getCachedConsumerInfo();
    Duration ackWait =
        info == null || info.getConsumerConfiguration() == null
            ? null
            : info.getConsumerConfiguration().getAckWait();
    return (ackWait == null || ackWait.isZero() || ackWait.isNegative()
            ? Duration.ofSeconds(30)
            : ackWait)
        .toNanos();
  }

  private ConsumerContext consumer(String destination, @Nullable String group) {
    ConsumerConfiguration.Builder config =
        ConsumerConfiguration.builder().filterSubject(destination).ackPolicy(AckPolicy.Explicit);
    if (delivery.maxDeliveries() > 0) {
      config.maxDeliver(delivery.maxDeliveries());
    }
    if (delivery.ackWait() != null) {
      config.ackWait(delivery.ackWait());
    }
    if (group != null) {
      config.durable(group);
    }
    try {
      StreamContext streamContext = connection.getStreamContext(stream);
      return streamContext.createOrUpdateConsumer(config.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (JetStreamApiException e) {
      throw new IllegalStateException(
          "JetStream refused a consumer on stream '" + stream + "': " + e.getMessage(), e);
    }
  }
}
