package dev.baton.transport.kafka;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Poll;
import dev.baton.propagation.spi.Settler;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener.ConnectionState;
import dev.baton.transport.TransportListener.SubscriptionState;
import dev.baton.transport.internal.DaemonThreads;
import dev.baton.transport.internal.Redaction;
import io.opentelemetry.api.common.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One subscription: its own consumer and its own thread running Baton's poll loop. At-least-once:
 * an offset is committed only after its record's handler returned (or the record went to the
 * dead-letter topic); on close the loop finishes the record in hand, commits, and leaves the rest
 * of the batch for the group's next consumer.
 */
final class KafkaSubscription implements Subscription {

  private static final AttributeKey<Boolean> TOMBSTONE =
      AttributeKey.booleanKey("messaging.kafka.message.tombstone");
  static final String DLQ_PREFIX = "baton-dlq-";

  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private final MessagingEngine<Headers> engine;
  private final KafkaSender sender;
  private final String topic;
  private final String group;
  private final MessageHandler handler;
  private final FailurePolicy policy;
  private final Duration pollTimeout;
  private final String groupId;
  private final boolean recordKeys;
  private final Consumer<KafkaSubscription> onClose;
  private final Thread thread;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
  private volatile boolean running = true;
  private volatile boolean stoppedByFailure;
  private volatile long bufferedMessages;
  private volatile long bufferedBytes;

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
      Consumer<KafkaSubscription> onClose) {
    this.consumer = consumer;
    this.sender = sender;
    this.engine = sender.engine();
    this.topic = topic;
    this.group = group;
    this.handler = handler;
    this.policy = policy;
    this.pollTimeout = pollTimeout;
    this.groupId = groupId;
    this.recordKeys = recordKeys;
    this.onClose = onClose;
    this.thread = DaemonThreads.create("baton-kafka-" + topic + "-" + group, this::run);
  }

  void start() {
    thread.start();
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
    engine.queueDepth(topic, group, Math.max(0, bufferedMessages), Math.max(0, bufferedBytes));
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

  /** How long a new subscription waits for its topic to appear before it joins the group. */
  private static final Duration TOPIC_WAIT = Duration.ofSeconds(10);

  private void run() {
    engine.subscriptionChange(topic, group, SubscriptionState.STARTED);
    try {
      awaitTopicMetadata();
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running) {
        ConsumerRecords<String, byte[]> records;
        Instant pollStart = Instant.now();
        try {
          records = consumer.poll(pollTimeout);
        } catch (WakeupException e) {
          continue; // close() woke us; the loop condition decides
        } catch (RuntimeException e) {
          engine.connectionEvent(
              ConnectionState.ERROR, "poll on '" + topic + "': " + Redaction.describe(e));
          pause(Duration.ofSeconds(1));
          continue;
        }
        if (!records.isEmpty()) {
          handleBatch(records, pollStart, Instant.now());
          commit();
        }
      }
    } catch (RuntimeException e) {
      engine.connectionEvent(
          ConnectionState.ERROR, "subscription on '" + topic + "' ended: " + Redaction.describe(e));
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
        engine.subscriptionChange(
            topic, group, stoppedByFailure ? SubscriptionState.FAILED : SubscriptionState.STOPPED);
      }
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
          engine.connectionEvent(
              ConnectionState.ERROR,
              "topic '" + topic + "' does not exist yet; the subscription waits for it");
          return;
        }
        pause(Duration.ofMillis(50));
      }
    } catch (WakeupException e) {
      // close() woke us: the loop ends at once
    } catch (RuntimeException e) {
      engine.connectionEvent(
          ConnectionState.ERROR,
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
    Poll poll = engine.startPoll(topic, group, pollStart, pollEnd, records.count());
    try {
      handleRecords(records, poll);
    } finally {
      poll.end();
      bufferedMessages = 0;
      bufferedBytes = 0;
    }
  }

  private void handleRecords(ConsumerRecords<String, byte[]> records, Poll poll) {
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
        if (!running) {
          return; // the rest stays uncommitted: the group's next consumer reads it
        }
        if (!handleWithPolicy(record, poll)) {
          consumer.seek(partition, record.offset());
          engine.connectionEvent(
              ConnectionState.ERROR,
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
        processed.put(partition, new OffsetAndMetadata(record.offset() + 1));
        bufferedMessages--;
        bufferedBytes -= Math.max(0, record.serializedValueSize());
      }
    }
  }

  /** Runs the handler with retries; true when the record is done (handled or dead-lettered). */
  private boolean handleWithPolicy(ConsumerRecord<String, byte[]> record, Poll poll) {
    int attempts = policy.maxRetries() + 1;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      boolean last = attempt == attempts;
      DeadLetter deadLettered =
          last && policy.deadLetterTopic() != null ? new DeadLetter(record) : null;
      try {
        engine.deliver(
            delivery(record, attempt),
            record.headers(),
            deadLettered == null ? handler : deadLettered,
            deadLettered == null ? Settler.none() : deadLettered,
            attempt == 1 ? poll : null);
        return true;
      } catch (Throwable t) {
        if (deadLettered != null && deadLettered.sent) {
          return true;
        }
        if (last || !running) {
          return false;
        }
        if (!pause(policy.backoff(attempt))) {
          return false;
        }
      }
    }
    return false;
  }

  /**
   * The last attempt when the policy dead-letters: runs the handler, and when it throws publishes
   * the record to the dead-letter topic before the exception goes on; the outcome is then {@link
   * Outcome#REJECTED}. Kafka has no per-record ack: settling does nothing.
   */
  private final class DeadLetter implements MessageHandler, Settler {
    private final ConsumerRecord<String, byte[]> record;
    private boolean sent;

    DeadLetter(ConsumerRecord<String, byte[]> record) {
      this.record = record;
    }

    @Override
    public void handle(dev.baton.transport.Message message) throws Exception {
      try {
        handler.handle(message);
      } catch (Exception | Error e) {
        deadLetter(record, e);
        sent = true;
        throw e;
      }
    }

    @Override
    public void ack() {}

    @Override
    public void nak() {}

    @Override
    public Outcome failureOutcome() {
      return sent ? Outcome.REJECTED : Outcome.NAK;
    }
  }

  /** Publishes the failed record to the dead-letter topic and waits for the acknowledgement. */
  private void deadLetter(ConsumerRecord<String, byte[]> record, Throwable error) throws Exception {
    OutboundMessage message =
        OutboundMessage.of(
            policy.deadLetterTopic(), record.value() == null ? new byte[0] : record.value());
    for (Header header : record.headers()) {
      if (header.value() != null && !header.key().startsWith(DLQ_PREFIX)) {
        message =
            message.withHeader(header.key(), new String(header.value(), StandardCharsets.UTF_8));
      }
    }
    message =
        message
            .withHeader(DLQ_PREFIX + "error", error.getClass().getName())
            .withHeader(DLQ_PREFIX + "topic", record.topic())
            .withHeader(DLQ_PREFIX + "partition", Integer.toString(record.partition()))
            .withHeader(DLQ_PREFIX + "offset", Long.toString(record.offset()))
            .withHeader(DLQ_PREFIX + "group", group);
    if (record.key() != null) {
      message = message.withKey(record.key());
    }
    sender.publish(message).get(30, TimeUnit.SECONDS);
  }

  private Delivery delivery(ConsumerRecord<String, byte[]> record, int attempt) {
    return new Delivery(
        record.topic(),
        group,
        record.value() == null ? new byte[0] : record.value(),
        KafkaWire.INSTANCE.last(record.headers(), KafkaWire.REPLY_TO),
        attempt,
        null,
        false,
        span -> {
          span.setAttribute(KafkaSender.PARTITION, Integer.toString(record.partition()));
          span.setAttribute(KafkaSender.OFFSET, record.offset());
          if (record.value() == null) {
            span.setAttribute(TOMBSTONE, true);
          }
          if (recordKeys && record.key() != null) {
            span.setAttribute(KafkaSender.KEY, record.key());
          }
        });
  }

  private void commit() {
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
    engine.connectionEvent(
        ConnectionState.ERROR,
        "commit on '" + topic + "' failed, records will be re-read: " + Redaction.describe(e));
  }

  /** Waits while running; false when closing interrupted the wait. */
  private boolean pause(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    while (running && System.nanoTime() < deadline) {
      try {
        Thread.sleep(Math.min(10, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return running;
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
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // The group has given this consumer its share (possibly none): resolve where reading
      // starts now, so a record published from here on is seen.
      partitions.forEach(consumer::position);
      assigned.countDown();
    }
  }

  @Override
  public String toString() {
    return "KafkaSubscription[" + topic + ", group=" + group + "]";
  }
}
