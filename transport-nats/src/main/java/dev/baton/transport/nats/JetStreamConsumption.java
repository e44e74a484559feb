/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.MessageHandler;
import java.io.IOException;

/**
 * One JetStream consumption (pull requests on a durable or ephemeral consumer, fed to a dispatcher)
 * that can be started again. A server that restarts forgets the pull requests it held: without a
 * new pull the client waits for its idle-heartbeat alarm (three heartbeats of half the pull's
 * expiry, 45 s with jnats' defaults) before it asks again. Baton restarts the consumption as soon
 * as the connection has resubscribed, and keeps the expiry short (10 s) for a pull lost without a
 * reconnect (a cluster's consumer leader moving). Thread-safe.
 */
final class JetStreamConsumption {

  /** Pull expiry: jnats heartbeats every half of it and re-pulls after three missed heartbeats. */
  static final ConsumeOptions OPTIONS = ConsumeOptions.builder().expiresIn(10_000).build();

  private final ConsumerContext context;
  private final Dispatcher dispatcher;
  private final MessageHandler handler;
  private final Object lock = new Object();
  private MessageConsumer current;
  private boolean stopped;

  private JetStreamConsumption(
      ConsumerContext context,
      Dispatcher dispatcher,
      MessageHandler handler,
      MessageConsumer first) {
    this.context = context;
    this.dispatcher = dispatcher;
    this.handler = handler;
    this.current = first;
  }

  /** Starts consuming from {@code context} onto {@code dispatcher}. */
  static JetStreamConsumption start(
      ConsumerContext context, Dispatcher dispatcher, MessageHandler handler)
      throws IOException, JetStreamApiException {
    return new JetStreamConsumption(
        context, dispatcher, handler, context.consume(OPTIONS, dispatcher, handler));
  }

  /**
   * Replaces the consumption with a new one that pulls at once. Messages the old one had delivered
   * and not acknowledged are redelivered by the server after the ack wait.
   */
  void restart() throws IOException, JetStreamApiException {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      MessageConsumer old = current;
      old.stop();
      current = context.consume(OPTIONS, dispatcher, handler);
      closeQuietly(old);
    }
  }

  /** No new pulls; what was delivered stays in the dispatcher for its drain. */
  void stop() {
    synchronized (lock) {
      stopped = true;
      current.stop();
    }
  }

  /** Stops and releases the consumption. */
  void close() {
    synchronized (lock) {
      stopped = true;
      closeQuietly(current);
    }
  }

  private static void closeQuietly(MessageConsumer consumer) {
    try {
      consumer.close();
    } catch (Exception e) {
      // Closing a consumer whose server is gone or restarted: nothing to release there.
    }
  }
}
