package dev.baton.transport.kafka;

import dev.baton.propagation.Delivery;
import dev.baton.propagation.MessagingEngine;
import dev.baton.propagation.Send;
import dev.baton.propagation.SendSpec;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/** Every Kafka send: headers, the PRODUCER span ended on the broker's acknowledgement, replies. */
final class KafkaSender {

  static final AttributeKey<String> PARTITION =
      AttributeKey.stringKey("messaging.destination.partition.id");
  static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
  static final AttributeKey<String> KEY = AttributeKey.stringKey("messaging.kafka.message.key");

  /** Where agents read replies unless configured otherwise: one topic per agent id. */
  static final String DEFAULT_REPLY_PREFIX = "baton.replies.";

  private final Producer<String, byte[]> producer;
  private final MessagingEngine engine;
  private final boolean recordKeys;

  KafkaSender(Producer<String, byte[]> producer, MessagingEngine engine, boolean recordKeys) {
    this.producer = producer;
    this.engine = engine;
    this.recordKeys = recordKeys;
  }

  MessagingEngine engine() {
    return engine;
  }

  private record Prepared(ProducerRecord<String, byte[]> record, String id, Send send) {}

  private Prepared prepare(
      OutboundMessage outbound,
      Map<String, String> batonHeaders,
      @Nullable String conversationId,
      @Nullable String template) {
    String id = outbound.id() == null ? MessagingEngine.newMessageId() : outbound.id();
    RecordHeaders headers = new RecordHeaders();
    outbound.headers().forEach((k, v) -> KafkaHeaders.SETTER.set(headers, k, v));
    batonHeaders.forEach((k, v) -> KafkaHeaders.SETTER.set(headers, k, v));
    KafkaHeaders.SETTER.set(headers, KafkaHeaders.MESSAGE_ID, id);
    SendSpec spec = SendSpec.of(outbound.destination(), id, outbound.payload().length);
    if (conversationId != null) {
      spec = spec.withConversation(conversationId);
    }
    if (template != null) {
      spec = spec.withTemplate(template);
    }
    if (recordKeys && outbound.key() != null) {
      spec = spec.withAttributes(Attributes.of(KEY, outbound.key()));
    }
    Send send = engine.startSend(spec, headers, KafkaHeaders.SETTER);
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(
            outbound.destination(), null, outbound.key(), outbound.payload(), headers);
    return new Prepared(record, id, send);
  }

  CompletableFuture<PublishReceipt> publish(OutboundMessage outbound) {
    return send(prepare(outbound, Map.of(), null, null), true);
  }

  /** A reply to a request: a send to the requester's reply topic in its conversation. */
  void reply(String replyTo, byte[] payload, String conversationId) throws Exception {
    Prepared prepared =
        prepare(
            OutboundMessage.of(replyTo, payload),
            Map.of(KafkaHeaders.CONVERSATION_ID, conversationId),
            conversationId,
            replyTo.startsWith(DEFAULT_REPLY_PREFIX) ? DEFAULT_REPLY_PREFIX + "*" : null);
    send(prepared, true);
  }

  CompletableFuture<Message> request(
      OutboundMessage outbound, Duration timeout, ReplyListener replies) {
    String id = outbound.id() == null ? MessagingEngine.newMessageId() : outbound.id();
    replies.awaitReady(timeout);
    CompletableFuture<ConsumerRecord<String, byte[]>> pending = replies.expect(id);
    Prepared prepared =
        prepare(outbound.withId(id), Map.of(KafkaHeaders.REPLY_TO, replies.topic()), id, null);
    try {
      send(prepared, false)
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
    return prepared
        .send()
        .awaitReply(
            pending,
            timeout,
            r ->
                Delivery.of(
                    r.topic(),
                    "",
                    KafkaHeaders.last(r.headers(), KafkaHeaders.MESSAGE_ID),
                    r.value() == null ? new byte[0] : r.value()),
            ConsumerRecord::headers,
            KafkaHeaders.GETTER);
  }

  /**
   * Sends the record with Baton's span current (so an instrumented producer's own span nests under
   * it). {@code endOnAck}: a plain send ends at the acknowledgement; a request's span waits for the
   * reply and only fails here.
   */
  private CompletableFuture<PublishReceipt> send(Prepared prepared, boolean endOnAck) {
    Send send = prepared.send();
    CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
    try (Scope ignored = send.context().makeCurrent()) {
      producer.send(
          prepared.record(),
          (metadata, error) -> {
            if (error != null) {
              ack.completeExceptionally(error);
            } else {
              ack.complete(metadata);
            }
          });
    } catch (RuntimeException e) {
      send.fail(e);
      throw e;
    }
    return send.awaitAck(
        ack,
        metadata -> {
          PublishReceipt receipt =
              new PublishReceipt(
                  metadata.topic(),
                  prepared.id(),
                  Integer.toString(metadata.partition()),
                  metadata.hasOffset() ? metadata.offset() : -1,
                  false);
          send.setAttribute(PARTITION, receipt.partition());
          if (receipt.sequence() >= 0) {
            send.setAttribute(OFFSET, receipt.sequence());
          }
          return receipt;
        },
        endOnAck);
  }
}
