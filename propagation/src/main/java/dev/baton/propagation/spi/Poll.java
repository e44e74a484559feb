/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Instant;

/**
 * The CLIENT span {@code poll {destination}} of one non-empty batch from a poll, open while the
 * batch is handled: each delivery handed to {@link MessagingEngine#deliver(Delivery, Object,
 * dev.baton.transport.MessageHandler, Settler, Poll)} adds a link to its sender's span (the sender
 * context is read once, for both spans), up to {@link MessagingEngine#MAX_POLL_LINKS}. The poll
 * loop ends it; it keeps the poll's own start and end times. Not thread-safe: one poll loop.
 */
public final class Poll {

  private final TransportEvents events;
  private final Span span;
  private final Instant end;
  private int links;

  Poll(TransportEvents events, Span span, Instant end) {
    this.events = events;
    this.span = span;
    this.end = end;
  }

  void link(SpanContext sender) {
    if (links < MessagingEngine.MAX_POLL_LINKS && span.isRecording()) {
      try {
        span.addLink(sender);
        links++;
      } catch (RuntimeException e) {
        events.telemetryFailure("poll", e);
      }
    }
  }

  /** Ends the span at the time the poll returned. Never throws. */
  public void end() {
    try {
      span.end(end);
    } catch (RuntimeException e) {
      events.telemetryFailure("poll", e);
    }
  }
}
