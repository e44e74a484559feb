/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.probe.ProbeSchedule;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener.ConnectionEvent;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What {@link NatsBaton} watches on the caller's connection: its events (to the listeners), the
 * installed {@link NatsErrorListener}, the stall check, and the restart of JetStream consumptions
 * once the connection has resubscribed after a reconnect. One thread, off the client's callback
 * thread. Close it to detach from the connection.
 */
final class ConnectionWatch implements AutoCloseable {

  private final Connection connection;
  private final MessagingEngine<Headers> engine;
  private final Supplier<List<Subscription>> subscriptions;
  private final ConnectionListener listener = this::onEvent;
  private final @Nullable NatsErrorListener errorListener;
  private final AtomicBoolean resubscribed = new AtomicBoolean();
  private final ProbeSchedule schedule;
  private long repairsSeen;

  /**
   * Starts watching; {@code stallTimeout} zero turns the stall check off; {@code subscriptions} are
   * the transport's open ones.
   */
  ConnectionWatch(
      Connection connection,
      MessagingEngine<Headers> engine,
      Duration stallTimeout,
      Supplier<List<Subscription>> subscriptions) {
    this.connection = connection;
    this.engine = engine;
    this.subscriptions = subscriptions;
    connection.addConnectionListener(listener);
    ErrorListener installed = connection.getOptions().getErrorListener();
    this.errorListener = installed instanceof NatsErrorListener l ? l : null;
    if (errorListener != null) {
      errorListener.register(engine);
    }
    // The stall check runs every quarter of its timeout, the resume check with it.
    Runnable stallCheck =
        stallTimeout.isZero()
            ? () -> {}
            : new StallWatchdog(connection, engine, stallTimeout, this::afterStall);
    this.repairsSeen = SafeHeadersDataPort.repairedMessages(connection);
    this.schedule =
        ProbeSchedule.start(
            "baton-nats-connection-watch",
            stallTimeout.isZero() ? Duration.ofMillis(250) : stallTimeout.dividedBy(4),
            () -> {
              stallCheck.run();
              reportRepairs();
              if (resubscribed.getAndSet(false)) {
                for (Subscription subscription : subscriptions.get()) {
                  ((NatsSubscription) subscription).resumeAfterReconnect();
                }
              }
            });
    if (connection.getStatus() == Connection.Status.CONNECTED) {
      // The CONNECTED event came before Baton was there: say where things stand.
      engine.events().connectionEvent(ConnectionEvent.CONNECTED, "connected when Baton started");
    }
  }

  /** Messages whose headers SafeHeadersDataPort repaired since the last look: one failure each. */
  private void reportRepairs() {
    long repaired = SafeHeadersDataPort.repairedMessages(connection);
    long fresh = repaired - repairsSeen;
    repairsSeen = repaired;
    for (long i = 0; i < fresh; i++) {
      engine.events().telemetryFailure("header", SafeHeadersDataPort.HeaderBytesReplaced.INSTANCE);
    }
  }

  /** After a stall and its reconnect: JetStream messages the client cannot read are removed. */
  private void afterStall() {
    for (Subscription subscription : subscriptions.get()) {
      if (subscription instanceof NatsSubscription nats) {
        nats.removeUnreadable();
      }
    }
  }

  private void onEvent(Connection conn, ConnectionListener.Events event) {
    if (event == ConnectionListener.Events.RESUBSCRIBED) {
      resubscribed.set(true);
    }
    ConnectionEvent state =
        switch (event) {
          case CONNECTED -> ConnectionEvent.CONNECTED;
          case DISCONNECTED -> ConnectionEvent.DISCONNECTED;
          case RECONNECTED -> ConnectionEvent.RECONNECTED;
          case CLOSED -> ConnectionEvent.CLOSED;
          default -> null;
        };
    if (state != null) {
      engine.events().connectionEvent(state, event.getEvent());
    }
  }

  /** Stops the thread and detaches from the connection (which stays open). */
  @Override
  public void close() {
    schedule.close();
    connection.removeConnectionListener(listener);
    if (errorListener != null) {
      errorListener.unregister(engine);
    }
  }
}
