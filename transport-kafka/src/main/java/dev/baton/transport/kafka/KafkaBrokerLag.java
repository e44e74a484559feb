/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.spi.probe.ConsumerPresence;
import dev.baton.propagation.spi.probe.LagClock;
import dev.baton.transport.TransportListener;
import dev.baton.transport.TransportListener.Backlog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka consumer-group lag read from the brokers alone, with no agent running: every consumer group
 * whose id {@code filter} keeps. One {@link #read} is one round of admin calls, each for all groups
 * at once: list the groups, describe them (members), list their committed offsets, list the
 * partitions' end offsets; then one fetch by a group-less consumer of the records at the committed
 * offsets of the partitions that are behind, for their age. So its cost grows with the number of
 * groups and partitions, never with the message rate. Every call has the timeout given to {@link
 * #create}.
 *
 * <p>Each group's partitions are reported through a {@link TransportListener} as {@code
 * BackplaneMetrics} expects them: a {@link Backlog} per topic partition with the lag in messages
 * (end offset minus committed offset), the age of the record at the committed offset (estimated
 * from the partition's history when it cannot be read) and the committed offset as its position;
 * and a {@link TransportListener.SubscriptionChange} per topic and group, STARTED when the group
 * has members and STOPPED when it has none, on the first reading and whenever that changes. A group
 * or topic that disappears is reported STOPPED with an unknown (NaN) lag, once.
 *
 * <p>Not thread-safe: read from one thread. {@link #close} closes its clients.
 */
public final class KafkaBrokerLag implements AutoCloseable {

  private static final String SYSTEM = "kafka";

  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> reader;
  private final Predicate<String> filter;
  private final long timeoutMillis;
  private final ConsumerPresence presence = new ConsumerPresence(SYSTEM);
  private final Map<TopicPartition, LagClock> clocks = new HashMap<>();
  private final Map<ConsumerPresence.Group, Set<Integer>> partitionsSeen = new HashMap<>();

  private KafkaBrokerLag(Map<String, ?> config, Predicate<String> filter, Duration timeout) {
    this.filter = filter;
    this.timeoutMillis = timeout.toMillis();
    Properties admin = new Properties();
    admin.putAll(config);
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
    admin.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "baton-lag");
    this.admin = Admin.create(admin);
    Properties consumer = new Properties();
    consumer.putAll(config);
    consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    consumer.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
    consumer.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
    consumer.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "baton-lag-reader");
    this.reader =
        new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * {@return a reader with {@code config} (the client settings: {@code bootstrap.servers} and any
   * security settings; the reader is a group-less consumer) of the groups whose id {@code
   * groupFilter} keeps, each admin call bounded by {@code timeout}}
   *
   * @param config the client settings
   * @param groupFilter keeps the groups to read, by name
   * @param timeout the longest one broker call may take
   */
  public static KafkaBrokerLag create(
      Map<String, ?> config, Predicate<String> groupFilter, Duration timeout) {
    Objects.requireNonNull(config, "config");
    if (config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
      throw new IllegalArgumentException("config needs bootstrap.servers");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new KafkaBrokerLag(config, Objects.requireNonNull(groupFilter, "groupFilter"), timeout);
  }

  /**
   * Reads every kept group once and reports it to {@code listener}; returns how many groups it
   * read.
   *
   * @param listener where each group's backlog is reported
   * @return how many groups were read
   * @throws ExecutionException when the brokers refuse or fail a call (nothing is reported then)
   * @throws TimeoutException when they do not answer in time
   * @throws InterruptedException when interrupted while waiting for the broker
   */
  public int read(TransportListener listener)
      throws ExecutionException, TimeoutException, InterruptedException {
    Objects.requireNonNull(listener, "listener");
    List<String> groups = new ArrayList<>();
    for (ConsumerGroupListing listing : get(admin.listConsumerGroups().all())) {
      if (filter.test(listing.groupId())) {
        groups.add(listing.groupId());
      }
    }
    Map<String, ConsumerGroupDescription> described =
        groups.isEmpty() ? Map.of() : get(admin.describeConsumerGroups(groups).all());
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
        specs.isEmpty() ? Map.of() : get(admin.listConsumerGroupOffsets(specs).all());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed
        .values()
        .forEach(offsets -> offsets.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest())));
    Map<TopicPartition, ListOffsetsResultInfo> ends =
        latest.isEmpty() ? Map.of() : get(admin.listOffsets(latest).all());
    long now = System.currentTimeMillis();
    ends.forEach(
        (tp, end) ->
            clocks.computeIfAbsent(tp, k -> new LagClock(64)).recordEnd(end.offset(), now));

    Map<TopicPartition, Long> behind = new HashMap<>();
    committed.forEach(
        (group, offsets) ->
            offsets.forEach(
                (tp, position) -> {
                  ListOffsetsResultInfo end = ends.get(tp);
                  if (position != null && end != null && end.offset() > position.offset()) {
                    behind.merge(tp, position.offset(), Math::min);
                  }
                }));
    Map<TopicPartition, Long> oldestTimestamps = oldestTimestamps(behind);

    Set<ConsumerPresence.Group> seen = new HashSet<>();
    for (String group : groups) {
      ConsumerGroupDescription description = described.get(group);
      boolean hasMembers = description != null && !description.members().isEmpty();
      Map<TopicPartition, OffsetAndMetadata> offsets = committed.getOrDefault(group, Map.of());
      Map<String, Set<Integer>> byTopic = new HashMap<>();
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
        TopicPartition tp = e.getKey();
        ListOffsetsResultInfo end = ends.get(tp);
        if (e.getValue() == null || end == null) {
          continue;
        }
        ConsumerPresence.Group key = new ConsumerPresence.Group(tp.topic(), group);
        if (seen.add(key)) {
          presence.seen(listener, key, hasMembers);
        }
        byTopic.computeIfAbsent(tp.topic(), t -> new HashSet<>()).add(tp.partition());
        long position = e.getValue().offset();
        long lag = Math.max(0, end.offset() - position);
        double seconds = 0;
        if (lag > 0) {
          Long timestamp = oldestTimestamps.get(tp);
          seconds =
              timestamp != null && behind.get(tp) == position
                  ? LagClock.exactSeconds(timestamp, now)
                  : clocks.get(tp).estimateSeconds(position, now);
        }
        listener.onBacklog(
            new Backlog(
                SYSTEM,
                tp.topic(),
                group,
                Integer.toString(tp.partition()),
                lag,
                Double.NaN,
                seconds,
                position));
      }
      byTopic.forEach(
          (topic, partitions) ->
              partitionsSeen.put(new ConsumerPresence.Group(topic, group), partitions));
    }
    for (ConsumerPresence.Group gone : presence.endRound(listener)) {
      for (int partition : partitionsSeen.getOrDefault(gone, Set.of())) {
        listener.onBacklog(
            new Backlog(
                SYSTEM,
                gone.destination(),
                gone.group(),
                Integer.toString(partition),
                Double.NaN,
                Double.NaN,
                Double.NaN));
      }
      partitionsSeen.remove(gone);
    }
    return groups.size();
  }

  /**
   * The timestamps of the records at {@code offsets}, from one fetch round of the group-less reader
   * (bounded by the timeout); partitions it could not read are left out.
   */
  private Map<TopicPartition, Long> oldestTimestamps(Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, Long> timestamps = new HashMap<>();
    if (offsets.isEmpty()) {
      return timestamps;
    }
    try {
      reader.assign(offsets.keySet());
      offsets.forEach(reader::seek);
      long deadline =
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMillis, 2000));
      while (timestamps.size() < offsets.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          if (!timestamps.containsKey(tp)
              && record.offset() >= offsets.get(tp)
              && record.timestamp() >= 0) {
            timestamps.put(tp, record.timestamp());
            reader.pause(List.of(tp));
          }
        }
      }
    } catch (RuntimeException e) {
      // unreadable (deleted, not permitted): estimated instead
    } finally {
      try {
        reader.assign(List.of());
      } catch (RuntimeException ignored) {
        // closing the round
      }
    }
    return timestamps;
  }

  private <T> T get(KafkaFuture<T> future)
      throws ExecutionException, TimeoutException, InterruptedException {
    return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Closes the admin client and the reader. */
  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
    reader.close(Duration.ofSeconds(2));
  }
}
