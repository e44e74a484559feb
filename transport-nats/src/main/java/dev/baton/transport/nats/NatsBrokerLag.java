/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.probe.ConsumerPresence;
import dev.baton.propagation.spi.probe.LagClock;
import dev.baton.transport.TransportListener;
import dev.baton.transport.TransportListener.Backlog;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * JetStream lag read from the server alone, with no agent running: every consumer of every stream
 * whose name {@code filter} keeps. One {@link #read} is one round of JetStream API calls: the
 * stream list ({@code $JS.API.STREAM.LIST}), each stream's consumer list ({@code
 * $JS.API.CONSUMER.LIST.<stream>}), and for each consumer that is behind, the message after its ack
 * floor ({@code $JS.API.STREAM.MSG.GET.<stream>}) for its age; so its cost grows with the number of
 * streams and consumers, never with the message rate.
 *
 * <p>Each consumer is reported through a {@link TransportListener} as {@code BackplaneMetrics}
 * expects it: a {@link TransportListener.Backlog} on its filter subject (the stream's name when it
 * has none) and group (the consumer's name) with the lag in messages (pending plus ack-pending),
 * ack-pending, the age of the oldest unacknowledged message (estimated from the stream's history
 * when it cannot be read) and the ack floor as its position; and a {@link
 * TransportListener.SubscriptionChange}, STARTED when a client takes its messages (a push consumer
 * bound, or pull requests waiting) and STOPPED when none does, on the first reading and whenever
 * that changes. A consumer that disappears is reported STOPPED with an unknown (NaN) lag, once.
 *
 * <p>Not thread-safe: read from one thread. The connection stays the caller's.
 */
public final class NatsBrokerLag {

  private static final String SYSTEM = "nats";

  private final JetStreamManagement jsm;
  private final Predicate<String> filter;
  private final ConsumerPresence presence = new ConsumerPresence(SYSTEM);
  private final Map<Key, LagClock> clocks = new HashMap<>();

  private record Key(String stream, String destination, String group) {}

  private NatsBrokerLag(JetStreamManagement jsm, Predicate<String> filter) {
    this.jsm = jsm;
    this.filter = filter;
  }

  /**
   * {@return a reader of the consumers on {@code connection}'s JetStream whose consumer name {@code
   * consumerFilter} keeps ({@code name -> true} for all)}
   *
   * @param connection the connection whose JetStream is read
   * @param consumerFilter keeps the consumers to read, by name
   * @throws IOException when the JetStream API is not available
   */
  public static NatsBrokerLag create(Connection connection, Predicate<String> consumerFilter)
      throws IOException {
    Objects.requireNonNull(connection, "connection");
    return new NatsBrokerLag(
        connection.jetStreamManagement(), Objects.requireNonNull(consumerFilter, "consumerFilter"));
  }

  /**
   * Reads every kept consumer once and reports it to {@code listener}; returns how many consumers
   * it read.
   *
   * @param listener where each consumer's backlog is reported
   * @return how many consumers were read
   * @throws IOException when the server does not answer (nothing is reported then)
   * @throws JetStreamApiException when the server refuses a listing call
   */
  public int read(TransportListener listener) throws IOException, JetStreamApiException {
    Objects.requireNonNull(listener, "listener");
    long now = System.currentTimeMillis();
    int read = 0;
    for (StreamInfo stream : jsm.getStreams()) {
      String streamName = stream.getConfiguration().getName();
      long end = stream.getStreamState().getLastSequence() + 1;
      for (ConsumerInfo consumer : jsm.getConsumers(streamName)) {
        if (!filter.test(consumer.getName())) {
          continue;
        }
        String subject = consumer.getConsumerConfiguration().getFilterSubject();
        Key key =
            new Key(
                streamName,
                subject == null || subject.isEmpty() ? streamName : subject,
                consumer.getName());
        read++;
        LagClock clock = clocks.computeIfAbsent(key, k -> new LagClock(64));
        clock.recordEnd(end, now);
        report(listener, key, consumer, clock, now);
      }
    }
    for (ConsumerPresence.Group gone : presence.endRound(listener)) {
      clocks
          .keySet()
          .removeIf(
              k -> k.destination().equals(gone.destination()) && k.group().equals(gone.group()));
      listener.onBacklog(
          new Backlog(
              SYSTEM, gone.destination(), gone.group(), "", Double.NaN, Double.NaN, Double.NaN));
    }
    return read;
  }

  private void report(
      TransportListener listener, Key key, ConsumerInfo consumer, LagClock clock, long now) {
    long lag = consumer.getNumPending() + consumer.getNumAckPending();
    long ackFloor = consumer.getAckFloor().getStreamSequence();
    double seconds = 0;
    if (lag > 0) {
      seconds = oldestAge(key, ackFloor + 1, consumer, now);
      if (Double.isNaN(seconds)) {
        seconds = clock.estimateSeconds(ackFloor + 1, now);
      }
    }
    presence.seen(
        listener,
        new ConsumerPresence.Group(key.destination(), key.group()),
        consumer.isPushBound() || consumer.getNumWaiting() > 0);
    listener.onBacklog(
        new Backlog(
            SYSTEM,
            key.destination(),
            key.group(),
            "",
            lag,
            consumer.getNumAckPending(),
            seconds,
            ackFloor));
  }

  /** The age of the first message at or after {@code sequence} the consumer takes, else NaN. */
  private double oldestAge(Key key, long sequence, ConsumerInfo consumer, long now) {
    try {
      String subject = consumer.getConsumerConfiguration().getFilterSubject();
      MessageInfo message =
          subject == null || subject.isEmpty()
              ? jsm.getNextMessage(key.stream(), sequence, ">")
              : jsm.getNextMessage(key.stream(), sequence, subject);
      return message == null || message.getTime() == null
          ? Double.NaN
          : LagClock.exactSeconds(message.getTime().toInstant().toEpochMilli(), now);
    } catch (IOException | JetStreamApiException e) {
      return Double.NaN; // deleted, or not permitted: estimated instead
    }
  }
}
