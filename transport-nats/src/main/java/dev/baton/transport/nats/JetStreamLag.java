/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.probe.DeniedCalls;
import dev.baton.propagation.spi.probe.LagClock;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.MessageInfo;
import org.jspecify.annotations.Nullable;

/**
 * Measures a JetStream consumer's lag on the server: in messages (pending plus ack-pending, every
 * message the consumer has not acknowledged), and in seconds (the age of the message right after
 * the ack floor, which is the oldest unacknowledged one; estimated from the stream's history when
 * that message cannot be read). A JetStream API call the account may not make is reported once
 * through {@link DeniedCalls} and skipped until it is asked again: without {@code
 * $JS.API.CONSUMER.INFO} the lag is unknown (NaN), without the message-get subjects its age is
 * estimated.
 */
final class JetStreamLag {

  static final String BACKLOG = "backlog";
  static final String BACKLOG_AGE = "backlog.age";

  /** One measurement; NaN where unknown. */
  record Lag(double messages, double ackPending, double seconds) {}

  private static final Lag UNKNOWN = new Lag(Double.NaN, Double.NaN, Double.NaN);

  private final Connection connection;
  private final JetStreamManagement jsm;
  private final ConsumerContext consumer;
  private final String stream;
  private final String filterSubject;
  private final DeniedCalls denied;
  private final String target;
  private final LagClock clock = new LagClock(64);

  JetStreamLag(
      Connection connection,
      JetStreamManagement jsm,
      ConsumerContext consumer,
      String stream,
      String filterSubject,
      DeniedCalls denied) {
    this.connection = connection;
    this.jsm = jsm;
    this.consumer = consumer;
    this.stream = stream;
    this.filterSubject = filterSubject;
    this.denied = denied;
    this.target = "stream " + stream + " consumer " + consumer.getConsumerName();
  }

  Lag measure() throws Exception {
    long now = System.currentTimeMillis();
    long since = System.nanoTime();
    ConsumerInfo info =
        denied.attempt(
            BACKLOG,
            target,
            consumer::getConsumerInfo,
            e -> refusal(since, "API.CONSUMER.INFO." + stream + "." + consumer.getConsumerName()));
    if (info == null) {
      return UNKNOWN;
    }
    long lag = info.getNumPending() + info.getNumAckPending();
    long oldest = info.getAckFloor().getStreamSequence() + 1;
    long sinceAge = System.nanoTime();
    Double exact;
    try {
      exact =
          denied.attempt(
              BACKLOG_AGE,
              target,
              () -> oldestAge(lag, oldest, now),
              e -> refusal(sinceAge, "API.STREAM.INFO." + stream, ".GET." + stream));
    } catch (Exception e) {
      exact = null; // not readable (deleted, say): estimated below
    }
    if (lag == 0) {
      return new Lag(0, 0, 0);
    }
    double seconds = exact != null ? exact : clock.estimateSeconds(oldest, now);
    return new Lag(lag, info.getNumAckPending(), seconds);
  }

  /** Records the stream's end for the estimate and reads the age of the oldest message. */
  private double oldestAge(long lag, long oldest, long now) throws Exception {
    long lastSequence = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    clock.recordEnd(lastSequence + 1, now);
    if (lag == 0) {
      return 0;
    }
    MessageInfo message = jsm.getNextMessage(stream, oldest, filterSubject);
    return LagClock.exactSeconds(message.getTime().toInstant().toEpochMilli(), now);
  }

  /** The refusal of a subject containing one of {@code parts} since {@code since}, or null. */
  private @Nullable String refusal(long since, String... parts) {
    for (String part : parts) {
      String subject = refusedSince(connection, part, since);
      if (subject != null) {
        return "the account may not publish to " + subject;
      }
    }
    return null;
  }

  /**
   * The refused subject containing {@code part} since {@code sinceNanos}, or {@code null}. The
   * server says so only in an asynchronous {@code -ERR} (the request itself times out): a {@link
   * NatsErrorListener} in the connection's options keeps every refused subject, which attributes
   * each refusal to its call exactly; without one, jnats' last error is all there is (Baton reads
   * it and never clears it: it is the application's), so a refusal of another call made at the same
   * moment can hide this one (it is then counted as a failed probe and asked again at the next
   * interval), and an old refusal of this subject can be taken for a new one.
   */
  static @Nullable String refusedSince(Connection connection, String part, long sinceNanos) {
    if (connection.getOptions().getErrorListener() instanceof NatsErrorListener listener) {
      return listener.refusedSince(part, sinceNanos);
    }
    return refusedSubject(connection.getLastError(), part);
  }

  /**
   * The subject in a server's "Permissions Violation for Publish to "X"" that contains {@code
   * part}, else {@code null}.
   */
  static @Nullable String refusedSubject(@Nullable String serverError, String part) {
    if (serverError == null || !serverError.contains("Permissions Violation for Publish")) {
      return null;
    }
    int open = serverError.indexOf('"');
    int close = open < 0 ? -1 : serverError.indexOf('"', open + 1);
    String subject =
        open >= 0 && close > open ? serverError.substring(open + 1, close) : serverError.trim();
    return subject.contains(part) ? subject : null;
  }
}
