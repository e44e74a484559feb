/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.JavaAgent;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/** Every Kafka send: the PRODUCER span ended on the broker's acknowledgement, requests, replies. */
final class KafkaSender {

  static final AttributeKey<String> PARTITION =
      AttributeKey.stringKey("messaging.destination.partition.id");
  static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
  static final AttributeKey<String> KEY = AttributeKey.stringKey("messaging.kafka.message.key");

  /** Where agents read replies unless configured otherwise: one topic per agent id. */
  static final String DEFAULT_REPLY_PREFIX = "baton.replies.";

  private final Producer<String, byte[]> producer;
  private final MessagingEngine<Headers> engine;
  private final boolean recordKeys;
  private final boolean callersProducer;

  /**
   * {@code callersProducer}: the producer is the caller's (perhaps instrumented itself), so each
   * send runs with Baton's span current for its own span to nest under.
   */
  KafkaSender(
      Producer<String, byte[]> producer,
      MessagingEngine<Headers> engine,
      boolean recordKeys,
      boolean callersProducer) {
    this.producer = producer;
    this.engine = engine;
    this.recordKeys = recordKeys;
    this.callersProducer = callersProducer;
  }

  MessagingEngine<Headers> engine() {
    return engine;
  }

  /** Starts the send of {@code record}, writing the context into the record's own headers. */
  private Send<Headers> start(
      OutboundMessage outbound, SendOptions options, ProducerRecord<String, byte[]> record) {
    Send<Headers> send = engine.startSend(outbound, options, record.headers());
    String key = outbound.key();
    if (recordKeys && key != null) {
      send.setAttribute(KEY, key);
    }
    return send;
  }

  CompletableFuture<PublishReceipt> publish(OutboundMessage outbound) {
    ProducerRecord<String, byte[]> record = record(outbound);
    return send(record, start(outbound, SendOptions.PUBLISH, record), true);
  }

  /** A publish nobody waits for: the span ends in the producer's callback, no future is built. */
  void publishAndForget(OutboundMessage outbound) {
    ProducerRecord<String, byte[]> record = record(outbound);
    Send<Headers> send = start(outbound, SendOptions.PUBLISH, record);
    Callback callback =
        (metadata, error) -> {
          if (error != null) {
            send.fail(error);
          } else {
            addAck(send, metadata);
            send.end(null);
          }
        };
    hand(send, record, callback);
  }

  /**
   * Hands the record to the producer; a caller's producer sees Baton's span as current. A producer
   * that throws fails the send and the exception goes on to the caller unchanged (as {@link
   * Send#call}, without a closure per record).
   */
  private void hand(Send<Headers> send, ProducerRecord<String, byte[]> record, Callback callback) {
    try {
      if (callersProducer || JavaAgent.present()) {
        try (Scope ignored = send.clientContext().makeCurrent()) {
          producer.send(record, callback);
        }
      } else {
        producer.send(record, callback);
      }
    } catch (RuntimeException | Error e) {
      send.fail(e);
      throw e;
    }
  }

  /**
   * The record for {@code outbound}, its headers still empty: the engine writes the caller's
   * headers and the context into them (no headers of Baton's own, copied by the record).
   */
  private static ProducerRecord<String, byte[]> record(OutboundMessage outbound) {
    return new ProducerRecord<>(outbound.destination(), null, outbound.key(), outbound.payload());
  }

  private static void addAck(Send<Headers> send, RecordMetadata metadata) {
    if (!send.isRecording()) {
      return;
    }
    send.setAttribute(PARTITION, partitionId(metadata.partition()));
    if (metadata.hasOffset()) {
      send.setAttribute(OFFSET, metadata.offset());
    }
  }

  /** A reply to a request: a send to the requester's reply topic in its conversation. */
  void reply(OutboundMessage outbound, String conversationId) {
    SendOptions options = SendOptions.PUBLISH.withConversation(conversationId);
    if (outbound.destination().startsWith(DEFAULT_REPLY_PREFIX)) {
      options = options.withTemplate(DEFAULT_REPLY_PREFIX + "*");
    }
    ProducerRecord<String, byte[]> record = record(outbound);
    Send<Headers> send = start(outbound, options, record);
    KafkaWire.INSTANCE.set(send.headers(), KafkaWire.CONVERSATION_ID, conversationId);
    send(record, send, true);
  }

  CompletableFuture<Message> request(
      OutboundMessage outbound, Duration timeout, ReplyListener replies) {
    String id = outbound.id() == null ? MessagingEngine.newMessageId() : outbound.id();
    replies.awaitReady(timeout);
    CompletableFuture<ConsumerRecord<String, byte[]>> pending = replies.expect(id);
    OutboundMessage request = outbound.withId(id);
    Send<Headers> send;
    try {
      ProducerRecord<String, byte[]> record = record(request);
      send = start(request, SendOptions.PUBLISH.withConversation(id), record);
      KafkaWire.INSTANCE.set(send.headers(), KafkaWire.REPLY_TO, replies.topic());
      send(record, send, false)
          .whenComplete(
              (receipt, error) -> {
                if (error != null) {
                  pending.completeExceptionally(error);
                }
              });
    } catch (RuntimeException e) {
      replies.forget(id);
      throw e;
    }
    pending.whenComplete((r, e) -> replies.forget(id));
    return send.awaitReply(
        pending,
        timeout,
        r -> Delivery.of(r.topic(), "", r.value() == null ? new byte[0] : r.value()),
        ConsumerRecord::headers);
  }

  /**
   * Sends the record with Baton's span current (so an instrumented producer's own span nests under
   * it). {@code endOnAck}: a plain send ends at the acknowledgement; a request's span waits for the
   * reply and only fails here.
   */
  private CompletableFuture<PublishReceipt> send(
      ProducerRecord<String, byte[]> record, Send<Headers> send, boolean endOnAck) {
    Acked acked = new Acked(send, endOnAck);
    hand(send, record, acked);
    return acked;
  }

  private static final String[] PARTITION_IDS = new String[256];

  static {
    for (int i = 0; i < PARTITION_IDS.length; i++) {
      PARTITION_IDS[i] = Integer.toString(i);
    }
  }

  /** The partition's number as the span attribute and the receipt have it, without a new string. */
  static String partitionId(int partition) {
    return partition >= 0 && partition < PARTITION_IDS.length
        ? PARTITION_IDS[partition]
        : Integer.toString(partition);
  }

  /**
   * The future a send returns and the producer's callback that completes it, in one object: the
   * receipt, the span's end or failure, on the producer's I/O thread (where a future for the ack,
   * its callback, a future for the receipt and the stage between them took five objects and two
   * hand-overs per record). A failure to build the receipt fails the send; never throws.
   */
  private static final class Acked extends CompletableFuture<PublishReceipt> implements Callback {
    private final Send<Headers> send;
    private final boolean endOnAck;

    Acked(Send<Headers> send, boolean endOnAck) {
      this.send = send;
      this.endOnAck = endOnAck;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception error) {
      if (error != null) {
        send.fail(error);
        completeExceptionally(error);
        return;
      }
      PublishReceipt receipt;
      try {
        addAck(send, metadata);
        receipt =
            new PublishReceipt(
                metadata.topic(),
                send.id(),
                partitionId(metadata.partition()),
                metadata.hasOffset() ? metadata.offset() : -1,
                false);
      } catch (RuntimeException e) {
        send.fail(e);
        completeExceptionally(e);
        return;
      }
      if (endOnAck) {
        send.end(receipt);
      }
      complete(receipt);
    }
  }
}
