/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Poll;
import dev.baton.propagation.spi.Settler;
import dev.baton.propagation.spi.SpanDetail;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.PublishReceipt;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * Runs one record's handler under the subscription's {@link FailurePolicy}: each attempt a delivery
 * with its own process span and delivery count, the policy's backoff between attempts, and on the
 * last attempt, when the policy names one, the record published to the dead-letter topic (with
 * {@code baton-dlq-*} headers saying where it came from and why) before it counts as done. Used by
 * one subscription's poll thread.
 */
final class PolicyRunner {

  private static final AttributeKey<Boolean> TOMBSTONE =
      AttributeKey.booleanKey("messaging.kafka.message.tombstone");
  static final String DLQ_PREFIX = "baton-dlq-";

  /** A tombstone's payload (a record with no value): empty, and nothing can be written into it. */
  private static final byte[] NO_BYTES = new byte[0];

  /** The dead-letter error of a record refused by the conversation policy. */
  static final String REFUSED = "baton.refused";

  private final MessagingEngine<Headers> engine;
  private final KafkaSender sender;
  private final String group;
  private final @Nullable String template;
  private final MessageHandler handler;
  private final FailurePolicy policy;
  private final boolean recordKeys;
  private final BooleanSupplier running;
  private final Hold hold;
  // One attempt at a time, on the subscription's thread: reused, so a record costs no settler.
  private final Attempt attempt = new Attempt();

  /**
   * What keeps the consumer in its group while a handler runs: {@code max.poll.interval.ms} and a
   * poll with the partitions paused (KafkaSubscription).
   */
  interface Hold {
    long holdNanos();

    void extend();
  }

  PolicyRunner(
      KafkaSender sender,
      String group,
      @Nullable String template,
      MessageHandler handler,
      FailurePolicy policy,
      boolean recordKeys,
      BooleanSupplier running,
      Hold hold) {
    this.sender = sender;
    this.engine = sender.engine();
    this.group = group;
    this.template = template;
    this.handler = handler;
    this.policy = policy;
    this.recordKeys = recordKeys;
    this.running = running;
    this.hold = hold;
  }

  /**
   * Runs the handler with retries; true when the record is done (handled or dead-lettered), false
   * when the policy gave up on it or the subscription is closing. An attempt the watch gave up past
   * the maximum handler time counts as failed (dead-lettered at once on the last attempt when the
   * policy has a dead-letter topic).
   */
  boolean handle(ConsumerRecord<String, byte[]> record, @Nullable Poll poll) {
    int attempts = policy.maxRetries() + 1;
    for (int number = 1; number <= attempts; number++) {
      boolean last = number == attempts;
      attempt.start(record, number, last && policy.deadLetterTopic() != null);
      boolean failed;
      try {
        // The attempt is also the delivery and its span detail: no object per record.
        engine.deliver(attempt, record.headers(), attempt, attempt, number == 1 ? poll : null);
        failed = attempt.gaveUp;
      } catch (Throwable t) {
        failed = true;
      }
      if (!failed || attempt.sent) {
        return true;
      }
      if (last || !running.getAsBoolean()) {
        return false;
      }
      if (!pause(policy.backoff(number), running)) {
        return false;
      }
    }
    return false;
  }

  /**
   * One attempt's handler and settler: runs the application's handler and, on the last attempt when
   * the policy dead-letters, publishes the record to the dead-letter topic when it throws (the
   * outcome is then {@link Outcome#DEAD_LETTERED}) before the exception goes on. Kafka has no
   * per-record ack: settling does nothing; holding the record is staying in the group.
   */
  private final class Attempt implements Delivery, MessageHandler, Settler, SpanDetail {
    private ConsumerRecord<String, byte[]> record;
    private int number;
    private @Nullable String replyTo;
    private boolean deadLetters;
    private volatile boolean gaveUp;
    private volatile boolean sent;

    void start(ConsumerRecord<String, byte[]> record, int number, boolean deadLetters) {
      this.record = record;
      this.number = number;
      this.replyTo = KafkaWire.INSTANCE.last(record.headers(), KafkaWire.REPLY_TO);
      this.deadLetters = deadLetters;
      this.gaveUp = false;
      this.sent = false;
    }

    @Override
    public String destination() {
      return record.topic();
    }

    @Override
    public String group() {
      return group;
    }

    @Override
    public byte[] payload() {
      byte[] value = record.value();
      return value == null ? NO_BYTES : value;
    }

    @Override
    public @Nullable String replyTo() {
      return replyTo;
    }

    @Override
    public int deliveryCount() {
      return number;
    }

    @Override
    public @Nullable String destinationTemplate() {
      return template; // a wildcard subscription's topics are named for it
    }

    @Override
    public boolean temporary() {
      return false;
    }

    @Override
    public SpanDetail detail() {
      return this;
    }

    @Override
    public void handle(Message message) throws Exception {
      try {
        handler.handle(message);
      } catch (Exception | Error e) {
        if (deadLetters && !sent) {
          deadLetter(record, e.getClass().getName(), null).get(30, TimeUnit.SECONDS);
          sent = true;
        }
        throw e;
      }
    }

    /** The record's span attributes (the engine asks while the attempt runs, if it records). */
    @Override
    public void addTo(Span span) {
      span.setAttribute(KafkaSender.PARTITION, KafkaSender.partitionId(record.partition()));
      span.setAttribute(KafkaSender.OFFSET, record.offset());
      if (record.value() == null) {
        span.setAttribute(TOMBSTONE, true);
      }
      if (recordKeys && record.key() != null) {
        span.setAttribute(KafkaSender.KEY, record.key());
      }
    }

    @Override
    public void ack() {}

    @Override
    public void nak() {}

    @Override
    public Outcome failureOutcome() {
      return sent ? Outcome.DEAD_LETTERED : Outcome.NAK;
    }

    @Override
    public long holdNanos() {
      return hold.holdNanos();
    }

    @Override
    public void extend() {
      hold.extend();
    }

    /**
     * Refused by the conversation policy (the handler did not run): to the dead-letter topic when
     * the policy has one, with {@code baton-dlq-error: baton.refused} and the reason in {@code
     * baton-refused}; else skipped. Either way the record is done and committed, never retried.
     */
    @Override
    public void refuse(String reason) throws Exception {
      if (policy.deadLetterTopic() != null) {
        deadLetter(record, REFUSED, reason).get(30, TimeUnit.SECONDS);
      }
    }

    /** On the watch thread: never waits for the dead-letter topic's acknowledgement. */
    @Override
    public void giveUp() {
      gaveUp = true;
      if (deadLetters) {
        deadLetter(record, "baton.handler_timeout", null);
        sent = true;
      }
    }
  }

  /** Publishes the failed record to the dead-letter topic; completes on its acknowledgement. */
  private CompletableFuture<PublishReceipt> deadLetter(
      ConsumerRecord<String, byte[]> record, String errorType, @Nullable String reason) {
    OutboundMessage message =
        OutboundMessage.of(
            policy.deadLetterTopic(), record.value() == null ? new byte[0] : record.value());
    for (Header header : record.headers()) {
      if (header.value() != null
          && !header.key().startsWith(DLQ_PREFIX)
          && !header.key().equals(BatonHeaders.REFUSED)) {
        message =
            message.withHeader(header.key(), new String(header.value(), StandardCharsets.UTF_8));
      }
    }
    message =
        message
            .withHeader(DLQ_PREFIX + "error", errorType)
            .withHeader(DLQ_PREFIX + "topic", record.topic())
            .withHeader(DLQ_PREFIX + "partition", Integer.toString(record.partition()))
            .withHeader(DLQ_PREFIX + "offset", Long.toString(record.offset()))
            .withHeader(DLQ_PREFIX + "group", group);
    if (reason != null) {
      // Baton's word for a refusal, as on a refused request's reply.
      message = message.withHeader(BatonHeaders.REFUSED, reason);
    }
    if (record.key() != null) {
      message = message.withKey(record.key());
    }
    return sender.publish(message);
  }

  /** Waits while {@code running}; false when closing or an interrupt cut the wait short. */
  static boolean pause(Duration duration, BooleanSupplier running) {
    long deadline = System.nanoTime() + duration.toNanos();
    while (running.getAsBoolean() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(Math.min(10, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return running.getAsBoolean();
  }
}
