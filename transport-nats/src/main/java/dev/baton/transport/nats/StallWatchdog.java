package dev.baton.transport.nats;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.internal.Redaction;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Notices a connection that stopped reading while it still says CONNECTED, and reconnects it.
 *
 * <p>jnats' reader stops for good on a message it cannot parse (a header value outside printable
 * ASCII from another client: nats.java issue 1315), calls no listener, and leaves the status
 * CONNECTED: every later message on that connection is silently lost. Each run (every quarter of
 * the timeout) sends a PING and waits a quarter of the timeout for the PONG; when it is late, a
 * second PING may take the whole timeout. No PONG then, while the status is CONNECTED and not one
 * byte was read in the meantime, means the reader is stuck, not busy or far away: Baton reports
 * {@link ConnectionEvent#STALLED} and a telemetry failure ({@code stall}), remembers it for {@link
 * NatsHealthCheck} (DEGRADED for a minute), and forces a reconnect, after which delivery resumes
 * (core NATS loses what was in flight, as in any reconnect; JetStream redelivers it after its ack
 * wait, once the unreadable message itself is removed: {@link UnreadableMessages}).
 */
record StallWatchdog(
    Connection connection,
    MessagingEngine<Headers> engine,
    Duration timeout,
    Runnable afterReconnect)
    implements Runnable {

  /** How long a stall keeps the health check DEGRADED. */
  static final Duration REMEMBERED = Duration.ofSeconds(60);

  private static final Map<Connection, Instant> LAST_STALL = new WeakHashMap<>();
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
      engine.telemetryFailure("stall", e);
    }
  }

  private void check() throws InterruptedException {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return; // the client's own reconnect handles a connection it knows is down
    }
    long readBefore = connection.getStatistics().getInBytes();
    // A quick PING first (a quarter of the timeout); only when its PONG is late, a second one
    // that may take the whole timeout: a link slower than that quarter is not taken for stalled.
    if (answers(timeout.dividedBy(4)) || answers(timeout)) {
      return;
    }
    if (connection.getStatus() != Connection.Status.CONNECTED
        || connection.getStatistics().getInBytes() != readBefore) {
      return; // down (the client knows) or busy reading: not stalled
    }
    stalled();
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
    engine.connectionEvent(ConnectionEvent.STALLED, detail);
    engine.telemetryFailure("stall", new IllegalStateException("NATS connection stalled"));
    try {
      connection.forceReconnect();
    } catch (java.io.IOException | RuntimeException e) {
      engine.connectionEvent(
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
