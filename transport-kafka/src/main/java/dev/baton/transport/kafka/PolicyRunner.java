package dev.baton.transport.kafka;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Poll;
import dev.baton.propagation.spi.Settler;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import io.opentelemetry.api.common.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

  private final MessagingEngine<Headers> engine;
  private final KafkaSender sender;
  private final String group;
  private final MessageHandler handler;
  private final FailurePolicy policy;
  private final boolean recordKeys;
  private final BooleanSupplier running;

  PolicyRunner(
      KafkaSender sender,
      String group,
      MessageHandler handler,
      FailurePolicy policy,
      boolean recordKeys,
      BooleanSupplier running) {
    this.sender = sender;
    this.engine = sender.engine();
    this.group = group;
    this.handler = handler;
    this.policy = policy;
    this.recordKeys = recordKeys;
    this.running = running;
  }

  /**
   * Runs the handler with retries; true when the record is done (handled or dead-lettered), false
   * when the policy gave up on it or the subscription is closing.
   */
  boolean handle(ConsumerRecord<String, byte[]> record, @Nullable Poll poll) {
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
        if (last || !running.getAsBoolean()) {
          return false;
        }
        if (!pause(policy.backoff(attempt), running)) {
          return false;
        }
      }
    }
    return false;
  }

  /**
   * The last attempt when the policy dead-letters: runs the handler, and when it throws publishes
   * the record to the dead-letter topic before the exception goes on; the outcome is then {@link
   * Outcome#DEAD_LETTERED}. Kafka has no per-record ack: settling does nothing.
   */
  private final class DeadLetter implements MessageHandler, Settler {
    private final ConsumerRecord<String, byte[]> record;
    private boolean sent;

    DeadLetter(ConsumerRecord<String, byte[]> record) {
      this.record = record;
    }

    @Override
    public void handle(Message message) throws Exception {
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
      return sent ? Outcome.DEAD_LETTERED : Outcome.NAK;
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
