/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import dev.baton.transport.TransportListener;
import dev.baton.transport.internal.Redaction;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Not API: calls every listener, containing and counting whatever they throw. The message path asks
 * {@link #isEmpty()} first and builds no event when nobody listens.
 */
public final class Listeners {

  private static final WarnOnce WARN = new WarnOnce(LoggerFactory.getLogger(Listeners.class));

  private final TransportListener[] listeners;
  private final AtomicLong failures = new AtomicLong();

  public Listeners(List<TransportListener> listeners) {
    this.listeners = listeners.toArray(new TransportListener[0]);
  }

  /** Whether nobody listens. */
  public boolean isEmpty() {
    return listeners.length == 0;
  }

  /** How many failures were contained so far. */
  public long failures() {
    return failures.get();
  }

  /** Tells every listener that a message was sent. */
  public void sent(TransportListener.Sent event) {
    deliver(event, TransportListener::onSent);
  }

  /** Tells every listener that a message was received. */
  public void received(TransportListener.Received event) {
    deliver(event, TransportListener::onReceived);
  }

  /** Tells every listener that a message was processed. */
  public void processed(TransportListener.Processed event) {
    deliver(event, TransportListener::onProcessed);
  }

  /** The message path's events: a non-capturing method reference, so nothing is allocated. */
  private <E> void deliver(E event, BiConsumer<TransportListener, E> call) {
    for (TransportListener listener : listeners) {
      try {
        call.accept(listener, event);
      } catch (RuntimeException | LinkageError e) {
        failed(listener, e);
      }
    }
  }

  /** Calls {@code event} on every listener (for the rarer events, off the message path). */
  public void emit(Consumer<TransportListener> event) {
    deliver(event, (listener, e) -> e.accept(listener));
  }

  /** Counts a failure inside Baton and tells the listeners (whose own failures are contained). */
  public void telemetryFailure(String system, String operation, Throwable error) {
    failures.incrementAndGet();
    WARN.log(
        "telemetry:" + operation + ":" + error.getClass().getName(),
        "Baton {} instrumentation failed during {}; the message went on without it: {}",
        system,
        operation,
        Redaction.describe(error));
    TransportListener.TelemetryFailure event =
        new TransportListener.TelemetryFailure(system, operation, error.getClass().getName());
    emit(l -> l.onTelemetryFailure(event));
  }

  private void failed(TransportListener listener, Throwable e) {
    failures.incrementAndGet();
    WARN.log(
        "listener:" + listener.getClass().getName(),
        "Baton listener {} failed: {}",
        listener.getClass().getName(),
        Redaction.describe(e));
  }
}
