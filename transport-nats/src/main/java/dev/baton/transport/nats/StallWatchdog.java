/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.internal.Redaction;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Notices a connection that stopped reading while it still says CONNECTED, and reconnects it.
 *
 * <p>jnats' reader stops for good on a message it cannot parse (a header value outside printable
 * ASCII from another client: nats.java issue 1315), calls no listener, and leaves the status
 * CONNECTED: every later message on that connection is silently lost. Each run (every quarter of
 * the timeout) looks at the bytes the connection has read: when it read any since the last run, it
 * is alive and nothing is sent. Only a connection that read nothing gets a PING, and the PING may
 * take the whole timeout. No PONG then, while the status is CONNECTED and still not one byte was
 * read, means the reader is stuck, not busy or far away: Baton reports {@link
 * ConnectionEvent#STALLED} and a telemetry failure ({@code stall}), remembers it for {@link
 * NatsHealthCheck} (DEGRADED for a minute), and forces a reconnect, after which delivery resumes
 * (core NATS loses what was in flight, as in any reconnect; JetStream redelivers it after its ack
 * wait, once the unreadable message itself is removed: {@link UnreadableMessages}).
 *
 * <p>The watchdogs on one connection (one per {@link NatsBaton}) take turns: one check every
 * quarter of the timeout for the connection, and at most one PING out at a time. jnats drops a
 * connection with more PINGs outstanding than its {@code maxPingsOut} (2 by default), which a busy
 * machine with several watchdogs pinging at once would otherwise reach.
 */
record StallWatchdog(
    Connection connection,
    MessagingEngine<Headers> engine,
    Duration timeout,
    Runnable afterReconnect)
    implements Runnable {

  /** What all the watchdogs on one connection share: they take turns, one check at a time. */
  private static final class Watch {
    final AtomicBoolean checking = new AtomicBoolean();
    long lastCheckNanos = Long.MIN_VALUE / 2;
    long lastRead = -1;
  }

  /** How long a stall keeps the health check DEGRADED. */
  static final Duration REMEMBERED = Duration.ofSeconds(60);

  private static final Map<Connection, Instant> LAST_STALL = new WeakHashMap<>();
  private static final Map<Connection, Watch> WATCHES = new WeakHashMap<>();
  private static final Duration RECONNECT_WAIT = Duration.ofSeconds(10);

  /** When {@code connection} last stalled, or null. */
  static @Nullable Instant lastStall(Connection connection) {
    synchronized (LAST_STALL) {
      return LAST_STALL.get(connection);
    }
  }

  @Override
  public void run() {
    try {
      check();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      engine.events().telemetryFailure("stall", e);
    }
  }

  private void check() throws InterruptedException {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return; // the client's own reconnect handles a connection it knows is down
    }
    Watch watch;
    synchronized (WATCHES) {
      watch = WATCHES.computeIfAbsent(connection, c -> new Watch());
    }
    if (!watch.checking.compareAndSet(false, true)) {
      return; // another watchdog on this connection is checking it
    }
    try {
      long now = System.nanoTime();
      if (now - watch.lastCheckNanos < timeout.toNanos() / 5) {
        return; // checked by another watchdog a moment ago
      }
      watch.lastCheckNanos = now;
      long read = connection.getStatistics().getInBytes();
      long before = watch.lastRead;
      watch.lastRead = read;
      if (read != before) {
        return; // it read since the last check: alive, no PING needed
      }
      if (answers(timeout)) {
        return;
      }
      if (connection.getStatus() != Connection.Status.CONNECTED
          || connection.getStatistics().getInBytes() != read) {
        return; // down (the client knows) or busy reading: not stalled
      }
      stalled();
    } finally {
      watch.checking.set(false);
    }
  }

  /** Whether a PING gets its PONG within {@code wait} (or the connection closed meanwhile). */
  private boolean answers(Duration wait) throws InterruptedException {
    try {
      connection.flush(wait);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (IllegalStateException e) {
      return true; // closed meanwhile: nothing to watch
    }
  }

  private void stalled() throws InterruptedException {
    Instant now = Instant.now();
    synchronized (LAST_STALL) {
      Instant previous = LAST_STALL.get(connection);
      if (previous != null
          && Duration.between(previous, now).compareTo(timeout.multipliedBy(4)) < 0) {
        return; // another NatsBaton on this connection is reconnecting it already
      }
      LAST_STALL.put(connection, now);
    }
    String detail =
        "no PONG within "
            + timeout.toMillis()
            + " ms and nothing read while CONNECTED (a message the client could not parse?):"
            + " forcing a reconnect";
    engine.events().connectionEvent(ConnectionEvent.STALLED, detail);
    engine.events().telemetryFailure("stall", new IllegalStateException("NATS connection stalled"));
    try {
      connection.forceReconnect();
    } catch (IOException | RuntimeException e) {
      engine
          .events()
          .connectionEvent(
              ConnectionEvent.ERROR, "forced reconnect failed: " + Redaction.describe(e));
      return;
    }
    long deadline = System.nanoTime() + RECONNECT_WAIT.toNanos();
    while (connection.getStatus() != Connection.Status.CONNECTED && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (connection.getStatus() == Connection.Status.CONNECTED) {
      afterReconnect.run();
    }
  }
}
