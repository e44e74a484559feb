/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.probe.DeniedCalls;
import dev.baton.propagation.spi.probe.LagClock;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.internal.DestinationPattern;
import dev.baton.transport.internal.Redaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.AuthorizationException;
import org.jspecify.annotations.Nullable;

/**
 * The Kafka backlog probe, run on its own thread off the message path: consumer lag in messages
 * (log-end offset minus committed offset, from the admin client; NaN while a partition has no
 * committed offset, never the whole log), lag in seconds (the age of the record at the committed
 * offset, read with a probe consumer; estimated with a {@link LagClock} when it cannot be read),
 * queue depth, and whether the brokers answer. Every remote call has a timeout; a failure is
 * counted as a telemetry failure and never reaches the poll loops.
 */
final class KafkaLagProbe implements AutoCloseable {

  private final MessagingEngine<?> engine;
  private final Supplier<Admin> admins;
  private final Supplier<Consumer<String, byte[]>> consumers;
  private final Duration timeout;
  private final DeniedCalls denied;
  private final Object lock = new Object();
  private final Map<TopicPartition, LagClock> clocks = new ConcurrentHashMap<>();
  private Admin admin;
  private Consumer<String, byte[]> reader;
  private Boolean brokerUp;

  KafkaLagProbe(
      MessagingEngine<?> engine,
      Supplier<Admin> admins,
      Supplier<Consumer<String, byte[]>> consumers,
      Duration timeout,
      DeniedCalls denied) {
    this.engine = engine;
    this.denied = denied;
    this.admins = admins;
    this.consumers = consumers;
    this.timeout = timeout;
  }

  /** Measures every subscription once. Called from one thread at a time. */
  void probe(Collection<KafkaSubscription> subscriptions) {
    synchronized (lock) {
      subscriptions.forEach(KafkaSubscription::reportQueueDepth);
      if (subscriptions.isEmpty()) {
        return;
      }
      Ends ends;
      try {
        if (admin == null) {
          admin = admins.get();
        }
        Set<String> topics = topics(subscriptions);
        ends =
            denied.attempt(
                BACKLOG,
                "topics " + new TreeSet<>(topics),
                () -> ends(topics),
                e -> {
                  String refused = refusal(e);
                  if (refused != null) {
                    brokerAnswered(null); // the brokers answered: they said no
                  }
                  return refused;
                });
        if (ends == null) {
          subscriptions.forEach(this::unknown);
          return;
        }
        brokerAnswered(null);
        Set<String> seen = new HashSet<>();
        for (KafkaSubscription subscription : subscriptions) {
          if (seen.add(subscription.groupId() + "\u0000" + subscription.destination())) {
            probeGroup(subscription, ends);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        brokerAnswered(e);
        engine.events().telemetryFailure("backlog", e);
      }
    }
  }

  private static final String BACKLOG = "backlog";

  /** The partitions of the probed topics and their log-end offsets. */
  private record Ends(
      List<TopicPartition> partitions, Map<TopicPartition, ListOffsetsResultInfo> offsets) {}

  /**
   * The topics the subscriptions read: a wildcard subscription's are the topics that exist now and
   * match it.
   */
  private Set<String> topics(Collection<KafkaSubscription> subscriptions) throws Exception {
    Set<String> topics = new HashSet<>();
    List<DestinationPattern> patterns = new ArrayList<>();
    for (KafkaSubscription subscription : subscriptions) {
      if (KafkaSubscription.wildcard(subscription.destination())) {
        patterns.add(DestinationPattern.parse(subscription.destination()));
      } else {
        topics.add(subscription.destination());
      }
    }
    if (!patterns.isEmpty()) {
      Set<String> all =
          denied.attempt(
              BACKLOG,
              "topic list",
              () -> admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS),
              KafkaLagProbe::refusal);
      if (all != null) {
        for (String topic : all) {
          for (DestinationPattern pattern : patterns) {
            if (pattern.matches(topic)) {
              topics.add(topic);
              break;
            }
          }
        }
      }
    }
    return topics;
  }

  private Ends ends(Set<String> topics) throws Exception {
    Map<String, TopicDescription> descriptions =
        admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    List<TopicPartition> partitions = new ArrayList<>();
    descriptions.forEach(
        (topic, description) -> {
          for (TopicPartitionInfo info : description.partitions()) {
            partitions.add(new TopicPartition(topic, info.partition()));
          }
        });
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResultInfo> offsets =
        admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long now = System.currentTimeMillis();
    offsets.forEach(
        (tp, end) ->
            clocks.computeIfAbsent(tp, k -> new LagClock(64)).recordEnd(end.offset(), now));
    return new Ends(partitions, offsets);
  }

  /** The broker's refusal behind {@code e} (an authorization failure), or {@code null}. */
  private static @Nullable String refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AuthorizationException a) {
        return a.getClass().getSimpleName() + ": " + a.getMessage();
      }
    }
    return null;
  }

  /** Reports a subscription's lag as unknown (NaN). */
  private void unknown(KafkaSubscription subscription) {
    engine
        .events()
        .backlog(
            subscription.destination(),
            subscription.group(),
            "",
            Double.NaN,
            Double.NaN,
            Double.NaN);
  }

  private void probeGroup(KafkaSubscription subscription, Ends ends) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        denied.attempt(
            BACKLOG,
            "group " + subscription.groupId(),
            () ->
                admin
                    .listConsumerGroupOffsets(subscription.groupId())
                    .partitionsToOffsetAndMetadata()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS),
            KafkaLagProbe::refusal);
    if (committed == null) {
      unknown(subscription);
      return;
    }
    long now = System.currentTimeMillis();
    if (KafkaSubscription.wildcard(subscription.destination())) {
      probeWildcard(subscription, ends, committed, now);
      return;
    }
    for (TopicPartition tp : ends.partitions()) {
      if (!tp.topic().equals(subscription.destination()) || !ends.offsets().containsKey(tp)) {
        continue;
      }
      long end = ends.offsets().get(tp).offset();
      OffsetAndMetadata position = committed.get(tp);
      double lag = Double.NaN;
      double seconds = Double.NaN;
      if (position != null) {
        lag = Math.max(0, end - position.offset());
        seconds = lag == 0 ? 0 : secondsBehind(tp, position.offset(), now);
      }
      engine
          .events()
          .backlog(
              subscription.destination(),
              subscription.group(),
              Integer.toString(tp.partition()),
              lag,
              Double.NaN,
              seconds);
    }
  }

  /**
   * A wildcard subscription's backlog, one figure for all the topics it reads (a label per topic
   * would be unbounded): the records behind summed, the age of the oldest unread record of the
   * partition furthest behind.
   */
  private void probeWildcard(
      KafkaSubscription subscription,
      Ends ends,
      Map<TopicPartition, OffsetAndMetadata> committed,
      long now) {
    DestinationPattern pattern = DestinationPattern.parse(subscription.destination());
    double lag = 0;
    long furthest = 0;
    TopicPartition behind = null;
    boolean known = false;
    for (TopicPartition tp : ends.partitions()) {
      OffsetAndMetadata position = committed.get(tp);
      if (!pattern.matches(tp.topic()) || !ends.offsets().containsKey(tp) || position == null) {
        continue;
      }
      known = true;
      long records = Math.max(0, ends.offsets().get(tp).offset() - position.offset());
      lag += records;
      if (records > furthest) {
        furthest = records;
        behind = tp;
      }
    }
    double seconds =
        !known
            ? Double.NaN
            : behind == null ? 0 : secondsBehind(behind, committed.get(behind).offset(), now);
    engine
        .events()
        .backlog(
            subscription.destination(),
            subscription.group(),
            "",
            known ? lag : Double.NaN,
            Double.NaN,
            seconds);
  }

  /** The age of the record at {@code offset}; the clock's estimate when it cannot be read. */
  private double secondsBehind(TopicPartition tp, long offset, long now) {
    try {
      if (reader == null) {
        reader = consumers.get();
      }
      reader.assign(List.of(tp));
      reader.seek(tp, offset);
      for (ConsumerRecord<String, byte[]> record :
          reader.poll(Duration.ofMillis(500)).records(tp)) {
        if (record.offset() >= offset && record.timestamp() >= 0) {
          return LagClock.exactSeconds(record.timestamp(), now);
        }
      }
    } catch (RuntimeException e) {
      engine.events().telemetryFailure("backlog", e);
    }
    LagClock clock = clocks.get(tp);
    return clock == null ? Double.NaN : clock.estimateSeconds(offset, now);
  }

  private void brokerAnswered(Exception failure) {
    Boolean up = failure == null;
    if (!up.equals(brokerUp)) {
      boolean back = Boolean.FALSE.equals(brokerUp);
      brokerUp = up;
      engine
          .events()
          .connectionEvent(
              up
                  ? (back ? ConnectionEvent.RECONNECTED : ConnectionEvent.CONNECTED)
                  : ConnectionEvent.DISCONNECTED,
              up
                  ? "brokers answer the probe"
                  : "brokers do not answer: " + Redaction.describe(failure));
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (reader != null) {
        try {
          reader.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
          // closing
        }
      }
      if (admin != null) {
        admin.close(Duration.ofSeconds(2));
      }
    }
  }
}
