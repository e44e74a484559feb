/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A subscription on its own dispatcher (so one slow handler cannot stall another, and pending and
 * dropped counts are per subscription), optionally fed by a JetStream consumer.
 */
final class NatsSubscription implements Subscription {

  static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);

  private final Connection connection;
  private final MessagingEngine<?> engine;
  private final Dispatcher dispatcher;
  private final String destination;
  private final String group;
  private final @Nullable JetStreamConsumption consumer;
  private final @Nullable JetStreamLag lag;
  private final @Nullable UnreadableMessages unreadable;
  private final Consumer<NatsSubscription> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong lastDropped = new AtomicLong();

  NatsSubscription(
      Connection connection,
      MessagingEngine<?> engine,
      Dispatcher dispatcher,
      String destination,
      String group,
      @Nullable JetStreamConsumption consumer,
      @Nullable JetStreamLag lag,
      @Nullable UnreadableMessages unreadable,
      Consumer<NatsSubscription> onClose) {
    this.connection = connection;
    this.engine = engine;
    this.dispatcher = dispatcher;
    this.destination = destination;
    this.group = group;
    this.consumer = consumer;
    this.lag = lag;
    this.unreadable = unreadable;
    this.onClose = onClose;
  }

  /**
   * After the connection resubscribed: a JetStream consumption pulls again at once (the server may
   * have forgotten its pull request). Nothing to do on core NATS.
   */
  void resumeAfterReconnect() {
    if (consumer == null || closed.get()) {
      return;
    }
    try {
      consumer.restart();
    } catch (Exception e) {
      engine.events().telemetryFailure("resume", e);
    }
  }

  /** After a stall: removes the JetStream messages the client cannot read (nothing on core). */
  void removeUnreadable() {
    if (unreadable != null) {
      unreadable.sweep();
    }
  }

  @Override
  public String destination() {
    return destination;
  }

  @Override
  public String group() {
    return group;
  }

  /**
   * Reports what this process holds for the subscription, newly dropped messages and, for
   * JetStream, the consumer's lag on the server. Called by the probe, off the message path.
   */
  void probe() {
    if (closed.get()) {
      return;
    }
    try {
      engine
          .events()
          .queueDepth(
              destination,
              group,
              dispatcher.getPendingMessageCount(),
              dispatcher.getPendingByteCount());
      long dropped = dispatcher.getDroppedCount();
      long before = lastDropped.getAndSet(dropped);
      if (dropped > before) {
        engine
            .events()
            .connectionEvent(
                TransportListener.ConnectionEvent.SLOW_CONSUMER,
                "subscription on '"
                    + destination
                    + "' dropped "
                    + (dropped - before)
                    + " messages");
      }
      if (lag != null) {
        JetStreamLag.Lag measured = lag.measure();
        engine
            .events()
            .backlog(
                destination,
                group,
                "",
                measured.messages(),
                measured.ackPending(),
                measured.seconds());
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      engine.events().telemetryFailure("backlog", e);
    }
  }

  @Override
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    try {
      connection.flush(timeout); // the server has seen the SUB once it answers the PING
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  @Override
  public boolean drain(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return true;
    }
    boolean done = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (consumer != null) {
        // No new pulls. What was already delivered to this process is handled by the drain
        // below; anything the server sends after that stays unacknowledged and is redelivered.
        consumer.stop();
      }
      long left = Math.max(1, deadline - System.nanoTime());
      done = dispatcher.drain(Duration.ofNanos(left)).get(left, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      done = false;
    } finally {
      if (consumer != null) {
        consumer.close();
      }
      if (dispatcher.isActive()) {
        connection.closeDispatcher(dispatcher);
      }
      onClose.accept(this);
      engine
          .events()
          .subscriptionChange(destination, group, TransportListener.SubscriptionState.STOPPED);
    }
    return done;
  }

  @Override
  public void close() {
    drain(DEFAULT_DRAIN);
  }

  @Override
  public String toString() {
    return "NatsSubscription[" + destination + (group.isEmpty() ? "" : ", group=" + group) + "]";
  }
}
