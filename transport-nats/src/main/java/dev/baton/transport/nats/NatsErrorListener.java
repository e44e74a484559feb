/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.internal.Redaction;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A jnats {@link ErrorListener} that reports errors and slow consumers to every {@link NatsBaton}
 * built on a connection that uses it. jnats takes error listeners only in the connection's options,
 * so install it before connecting:
 *
 * <pre>{@code
 * Options options = Options.builder().server(url)
 *     .errorListener(NatsErrorListener.wrapping(myListener))   // or NatsErrorListener.create()
 *     .build();
 * }</pre>
 *
 * <p>Every call is also passed to the wrapped listener, unchanged. Details are redacted of
 * credentials. Thread-safe.
 */
public final class NatsErrorListener implements ErrorListener {

  private final @Nullable ErrorListener delegate;
  private final Set<MessagingEngine<?>> engines = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> refused = new ConcurrentHashMap<>();

  private NatsErrorListener(@Nullable ErrorListener delegate) {
    this.delegate = delegate;
  }

  /** {@return a listener that only reports to Baton} */
  public static NatsErrorListener create() {
    return new NatsErrorListener(null);
  }

  /**
   * {@return a listener that reports to Baton and passes every call on to {@code delegate}}
   *
   * @param delegate the application's own listener
   */
  public static NatsErrorListener wrapping(ErrorListener delegate) {
    return new NatsErrorListener(Objects.requireNonNull(delegate, "delegate"));
  }

  void register(MessagingEngine<?> engine) {
    engines.add(engine);
  }

  void unregister(MessagingEngine<?> engine) {
    engines.remove(engine);
  }

  private void emit(ConnectionEvent state, String detail) {
    String redacted = Redaction.redact(detail);
    for (MessagingEngine<?> engine : engines) {
      engine.events().connectionEvent(state, redacted);
    }
  }

  /**
   * A subject containing {@code part} whose publish the server refused at or after {@code
   * sinceNanos} ({@link System#nanoTime()}), or {@code null}.
   */
  @Nullable String refusedSince(String part, long sinceNanos) {
    for (Map.Entry<String, Long> e : refused.entrySet()) {
      if (e.getValue() - sinceNanos >= 0 && e.getKey().contains(part)) {
        return e.getKey();
      }
    }
    return null;
  }

  @Override
  public void errorOccurred(Connection conn, String error) {
    String subject = JetStreamLag.refusedSubject(error, "");
    if (subject != null && (refused.size() < 256 || refused.containsKey(subject))) {
      refused.put(subject, System.nanoTime());
    }
    emit(ConnectionEvent.ERROR, "server error: " + error);
    if (delegate != null) {
      delegate.errorOccurred(conn, error);
    }
  }

  @Override
  public void exceptionOccurred(Connection conn, Exception exp) {
    emit(ConnectionEvent.ERROR, Redaction.describe(exp));
    if (delegate != null) {
      delegate.exceptionOccurred(conn, exp);
    }
  }

  @Override
  public void slowConsumerDetected(Connection conn, Consumer consumer) {
    emit(
        ConnectionEvent.SLOW_CONSUMER,
        "slow consumer: " + consumer.getPendingMessageCount() + " pending");
    if (delegate != null) {
      delegate.slowConsumerDetected(conn, consumer);
    }
  }

  @Override
  public void messageDiscarded(Connection conn, Message msg) {
    emit(ConnectionEvent.SLOW_CONSUMER, "message discarded");
    if (delegate != null) {
      delegate.messageDiscarded(conn, msg);
    }
  }
}
