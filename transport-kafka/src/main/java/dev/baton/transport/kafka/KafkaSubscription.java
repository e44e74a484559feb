/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.spi.JavaAgent;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Poll;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.TransportListener.SubscriptionState;
import dev.baton.transport.internal.DaemonThreads;
import dev.baton.transport.internal.Redaction;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * One subscription: its own consumer and its own thread running Baton's poll loop. At-least-once:
 * an offset is committed only after its record's handler returned (or the record went to the
 * dead-letter topic); on close the loop finishes the record in hand, commits, and leaves the rest
 * of the batch for the group's next consumer.
 */
final class KafkaSubscription implements Subscription {

  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private final MessagingEngine<Headers> engine;
  private final String topic;
  private final String group;
  private final PolicyRunner policyRunner;
  private final Duration pollTimeout;
  private final boolean pollSpans;
  private final String groupId;
  private final Consumer<KafkaSubscription> onClose;
  private final Thread thread;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
  // The partition whose records the batch is handling and the offset after the last one done:
  // put into processed once per partition (or before a commit), not once per record.
  private @Nullable TopicPartition handling;
  private long handledUpTo = -1;
  private volatile boolean running = true;
  private volatile boolean stoppedByFailure;
  private volatile long bufferedMessages;
  private volatile long bufferedBytes;
  // The consumer is used by one thread at a time: the subscription's, except while a handler runs,
  // when the handler watch's thread may poll (keepInGroup) so the consumer stays in its group.
  private final ReentrantLock consumerLock = new ReentrantLock();
  private final long maxPollIntervalNanos;
  // Set while the watch holds the partitions paused; partitions the group took away meanwhile.
  private boolean keeping;
  private final Set<TopicPartition> revokedMidBatch = new HashSet<>();

  KafkaSubscription(
      org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
      KafkaSender sender,
      String topic,
      String group,
      MessageHandler handler,
      FailurePolicy policy,
      Duration pollTimeout,
      String groupId,
      boolean recordKeys,
      boolean pollSpans,
      long maxPollIntervalNanos,
      Consumer<KafkaSubscription> onClose) {
    this.pollSpans = pollSpans;
    this.consumer = consumer;
    this.engine = sender.engine();
    this.topic = topic;
    this.group = group;
    this.maxPollIntervalNanos = maxPollIntervalNanos;
    this.policyRunner =
        new PolicyRunner(
            sender,
            group,
            wildcard(topic) ? topic : null,
            handler,
            policy,
            recordKeys,
            () -> running,
            new PolicyRunner.Hold() {
              @Override
              public long holdNanos() {
                return KafkaSubscription.this.maxPollIntervalNanos;
              }

              @Override
              public void extend() {
                keepInGroup();
              }
            });
    this.pollTimeout = pollTimeout;
    this.groupId = groupId;
    this.onClose = onClose;
    this.thread = DaemonThreads.create("baton-kafka-" + topic + "-" + group, this::run);
  }

  void start() {
    thread.start();
  }

  /**
   * Whether {@code topic} is a pattern in NATS wildcard syntax ({@code *} one dot-separated token,
   * a final {@code >} one or more): the subscription then reads every topic that matches, now and
   * as topics appear (at the consumer's metadata refresh, {@code metadata.max.age.ms}).
   */
  static boolean wildcard(String topic) {
    return topic.indexOf('*') >= 0 || topic.indexOf('>') >= 0;
  }

  /** The regular expression the consumer subscribes with for a wildcard {@code topic}. */
  static Pattern topicRegex(String topic) {
    StringBuilder regex = new StringBuilder();
    String[] tokens = topic.split("\\.", -1);
    for (int i = 0; i < tokens.length; i++) {
      if (i > 0) {
        regex.append("\\.");
      }
      switch (tokens[i]) {
        case "*" -> regex.append("[^.]+");
        case ">" -> regex.append(".+");
        default -> regex.append(Pattern.quote(tokens[i]));
      }
    }
    return Pattern.compile(regex.toString());
  }

  @Override
  public String destination() {
    return topic;
  }

  @Override
  public String group() {
    return group;
  }

  /** The Kafka consumer group id (generated when the subscription has no group). */
  String groupId() {
    return groupId;
  }

  /** Reports what this subscription has fetched but not handled yet. Safe from any thread. */
  void reportQueueDepth() {
    engine
        .events()
        .queueDepth(topic, group, Math.max(0, bufferedMessages), Math.max(0, bufferedBytes));
  }

  /** Whether the failure policy stopped this subscription. */
  boolean stoppedByFailure() {
    return stoppedByFailure;
  }

  /** Waits until the group gave this consumer its partitions and their positions are known. */
  boolean awaitAssignment(Duration timeout) throws InterruptedException {
    return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return awaitAssignment(timeout);
  }

  /**
   * Under the OpenTelemetry Java agent: its kafka-clients instrumentation makes a {@code process}
   * span for each record iterated out of a poll, a second span beside Baton's own for each record
   * this thread hands to the handler. The agent's switch for that is per thread, and this thread is
   * Baton's alone: it is turned off here, so other consumers in the JVM keep the agent's spans.
   */
  private void standAsideJavaAgent() {
    if (!JavaAgent.present()) {
      return;
    }
    try {
      Class.forName("io.opentelemetry.javaagent.bootstrap.kafka.KafkaClientsConsumerProcessTracing")
          .getMethod("setWrappingEnabled", boolean.class)
          .invoke(null, false);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      engine.events().telemetryFailure("java_agent", e);
    }
  }

  /** How long a new subscription waits for its topic to appear before it joins the group. */
  private static final Duration TOPIC_WAIT = Duration.ofSeconds(10);

  private void run() {
    engine.events().subscriptionChange(topic, group, SubscriptionState.STARTED);
    standAsideJavaAgent();
    consumerLock.lock();
    try {
      if (wildcard(topic)) {
        consumer.subscribe(topicRegex(topic), new Rebalance());
      } else {
        awaitTopicMetadata();
        consumer.subscribe(List.of(topic), new Rebalance());
      }
      while (running) {
        ConsumerRecords<String, byte[]> records;
        Instant pollStart = Instant.now();
        try {
          records = consumer.poll(pollTimeout);
        } catch (WakeupException e) {
          continue; // close() woke us; the loop condition decides
        } catch (RuntimeException e) {
          engine
              .events()
              .connectionEvent(
                  ConnectionEvent.ERROR, "poll on '" + topic + "': " + Redaction.describe(e));
          pause(Duration.ofSeconds(1));
          continue;
        }
        if (!records.isEmpty()) {
          handleBatch(records, pollStart, Instant.now());
          endKeeping();
          commit();
        }
      }
    } catch (RuntimeException e) {
      engine
          .events()
          .connectionEvent(
              ConnectionEvent.ERROR,
              "subscription on '" + topic + "' ended: " + Redaction.describe(e));
    } finally {
      try {
        commit();
      } finally {
        try {
          consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
          // closing: the offsets were committed above or will be re-read
        }
        assigned.countDown();
        finished.countDown();
        onClose.accept(this);
        consumerLock.unlock();
        engine
            .events()
            .subscriptionChange(
                topic,
                group,
                stoppedByFailure ? SubscriptionState.FAILED : SubscriptionState.STOPPED);
      }
    }
  }

  /**
   * On the handler watch's thread while a handler runs past a third of {@code
   * max.poll.interval.ms}: polls with every partition paused, so the group keeps this consumer (and
   * its records) instead of handing them to another. Records a rebalance let through are put back
   * (the position returns to the first of them); partitions the group takes away meanwhile are not
   * handled further in this batch. Never waits for the subscription's thread.
   */
  void keepInGroup() {
    if (!consumerLock.tryLock()) {
      return; // the subscription's thread has the consumer: it polls again soon
    }
    try {
      if (!running) {
        return;
      }
      keeping = true;
      consumer.pause(consumer.assignment());
      ConsumerRecords<String, byte[]> stray = consumer.poll(Duration.ZERO);
      for (TopicPartition partition : stray.partitions()) {
        consumer.seek(partition, stray.records(partition).get(0).offset());
      }
    } catch (WakeupException e) {
      // close() woke the consumer: the subscription's loop ends after the handler
    } finally {
      consumerLock.unlock();
    }
  }

  /** After a batch: the partitions the watch paused are read again. */
  private void endKeeping() {
    revokedMidBatch.clear();
    if (keeping) {
      keeping = false;
      consumer.resume(consumer.paused());
    }
  }

  /**
   * Waits until the client knows the topic's partitions (creating the topic where the broker
   * creates topics on demand), so that the group's first assignment includes them. A consumer that
   * joins before the topic exists gets nothing and, seen here, may learn of the topic only at its
   * next metadata refresh (minutes later), missing the first messages a sender publishes after this
   * subscription said it was ready.
   */
  private void awaitTopicMetadata() {
    // partitionsFor answers "none" at once while a topic created on demand has no leader yet:
    // ask again until it has partitions, for up to ten seconds.
    long deadline = System.nanoTime() + TOPIC_WAIT.toNanos();
    try {
      while (running) {
        if (!consumer.partitionsFor(topic, Duration.ofSeconds(5)).isEmpty()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          engine
              .events()
              .connectionEvent(
                  ConnectionEvent.ERROR,
                  "topic '" + topic + "' does not exist yet; the subscription waits for it");
          return;
        }
        pause(Duration.ofMillis(50));
      }
    } catch (WakeupException e) {
      // close() woke us: the loop ends at once
    } catch (RuntimeException e) {
      engine
          .events()
          .connectionEvent(
              ConnectionEvent.ERROR,
              "no metadata for topic '" + topic + "' yet: " + Redaction.describe(e));
    }
  }

  private void handleBatch(
      ConsumerRecords<String, byte[]> records, Instant pollStart, Instant pollEnd) {
    long bytes = 0;
    for (ConsumerRecord<String, byte[]> record : records) {
      bytes += Math.max(0, record.serializedValueSize());
    }
    bufferedBytes = bytes;
    bufferedMessages = records.count();
    Poll poll =
        pollSpans ? engine.startPoll(topic, group, pollStart, pollEnd, records.count()) : null;
    try {
      handleRecords(records, poll);
    } finally {
      if (poll != null) {
        poll.end();
      }
      bufferedMessages = 0;
      bufferedBytes = 0;
    }
  }

  private void handleRecords(ConsumerRecords<String, byte[]> records, @Nullable Poll poll) {
    for (TopicPartition partition : records.partitions()) {
      try {
        handling = partition;
        handlePartition(records, partition, poll);
      } finally {
        keepHandled();
        handling = null;
      }
      if (!running) {
        return;
      }
    }
  }

  /** The offset after the last record handled in the current partition, into processed. */
  private void keepHandled() {
    if (handling != null && handledUpTo >= 0) {
      processed.put(handling, new OffsetAndMetadata(handledUpTo));
    }
    handledUpTo = -1;
  }

  private void handlePartition(
      ConsumerRecords<String, byte[]> records, TopicPartition partition, @Nullable Poll poll) {
    for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
      if (!running) {
        return; // the rest stays uncommitted: the group's next consumer reads it
      }
      if (revokedMidBatch.contains(partition)) {
        break; // the group gave this partition to another consumer while a handler ran
      }
      boolean done;
      consumerLock.unlock();
      try {
        done = policyRunner.handle(record, poll);
      } finally {
        consumerLock.lock();
      }
      if (revokedMidBatch.contains(partition)) {
        break; // its offset is the new owner's to commit
      }
      if (!done) {
        consumer.seek(partition, record.offset());
        engine
            .events()
            .connectionEvent(
                ConnectionEvent.ERROR,
                "subscription on '"
                    + topic
                    + "' stopped by its failure policy at partition "
                    + record.partition()
                    + " offset "
                    + record.offset()
                    + " (left uncommitted)");
        stoppedByFailure = true;
        running = false;
        return;
      }
      handledUpTo = record.offset() + 1;
      bufferedMessages--;
      bufferedBytes -= Math.max(0, record.serializedValueSize());
    }
  }

  private void commit() {
    keepHandled();
    if (processed.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(processed, Duration.ofSeconds(10));
      processed.clear();
    } catch (WakeupException e) {
      // close() woke us mid-commit: try once more, then give up (the records are re-read)
      try {
        consumer.commitSync(processed, Duration.ofSeconds(10));
        processed.clear();
      } catch (RuntimeException again) {
        commitFailed(again);
      }
    } catch (RuntimeException e) {
      commitFailed(e);
    }
  }

  private void commitFailed(RuntimeException e) {
    processed.clear(); // at-least-once: the group re-reads them
    engine
        .events()
        .connectionEvent(
            ConnectionEvent.ERROR,
            "commit on '" + topic + "' failed, records will be re-read: " + Redaction.describe(e));
  }

  private boolean pause(Duration duration) {
    return PolicyRunner.pause(duration, () -> running);
  }

  @Override
  public boolean drain(Duration timeout) {
    running = false;
    consumer.wakeup();
    if (Thread.currentThread() == thread) {
      return false; // a handler closing its own subscription: the loop ends after it returns
    }
    try {
      return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    drain(Duration.ofSeconds(10));
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      commit();
      if (keeping) {
        revokedMidBatch.addAll(partitions);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // The group has given this consumer its share (possibly none): resolve where reading
      // starts now, so a record published from here on is seen.
      partitions.forEach(consumer::position);
      if (keeping) {
        // A handler still runs: these wait, paused, for the batch to end.
        consumer.pause(partitions);
      }
      assigned.countDown();
    }
  }

  @Override
  public String toString() {
    return "KafkaSubscription[" + topic + ", group=" + group + "]";
  }
}
