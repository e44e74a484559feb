/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.junit.jupiter.api.Assertions.fail;

import dev.baton.bench.AllocationGate;
import dev.baton.bench.Budgets;
import dev.baton.bench.Tracing;
import dev.baton.launchers.KafkaBroker;
import dev.baton.propagation.Baton;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.Publisher;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allocation gate on Kafka (issue 27): bytes per 1 KiB send (the producer's calling thread:
 * what the agent's thread pays) and per record handled, against a KRaft broker of the test's own,
 * over the floor, within {@link Budgets}.
 */
class KafkaAllocationGateTest {

  private static final String TOPIC = "gate.send";
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final byte[] TRACEPARENT_BYTES = TRACEPARENT.getBytes(StandardCharsets.US_ASCII);
  // Fewer warm-up sends than on NATS: each is a record the broker writes.
  private static final int SEND_WARMUP = 10_000;

  private static KafkaBroker broker;
  // One producer for the floor and Baton: the one Baton shares among agents built with the same
  // settings, so both send through the same buffers, drained before each round.
  private static SharedProducers.Lease lease;
  private static Producer<String, byte[]> producer;
  private static OpenTelemetrySdk sampledSdk;
  private static OpenTelemetrySdk unsampledSdk;
  private static final byte[] PAYLOAD = new byte[1024];
  private static volatile Object sink;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
    broker.createTopic(TOPIC, 1);
    broker.createTopic("gate.receive", 1);
    lease = SharedProducers.acquire(new HashMap<>(config()));
    producer = lease.producer();
    sampledSdk = Tracing.sdk(Tracing.Sampling.SAMPLED);
    unsampledSdk = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
  }

  @AfterAll
  static void stop() throws Exception {
    if (lease != null) {
      lease.release(Duration.ofSeconds(10));
    }
    if (sampledSdk != null) {
      sampledSdk.close();
      unsampledSdk.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * The producer's settings: batches of 256 KiB (a batch's objects spread over some 250 records
   * instead of 16) and room for 64 MiB in flight (so a send does not wait for the broker), which
   * make what a send allocates on the agent's thread the same from one round to the next.
   */
  private static Map<String, Object> config() {
    return Map.of(
        "bootstrap.servers",
        broker.bootstrapServers(),
        "batch.size",
        262_144,
        "linger.ms",
        20,
        "buffer.memory",
        64L << 20);
  }

  /** The raw producer sending with one traceparent header. */
  private static final AllocationGate.Op SEND_FLOOR =
      () -> {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", TRACEPARENT_BYTES);
        producer.send(new ProducerRecord<>(TOPIC, null, (String) null, PAYLOAD, headers));
      };

  private static double[] send(OpenTelemetrySdk sdk, boolean onward) throws Exception {
    try (KafkaBaton baton =
        KafkaBaton.builder(Baton.builder(sdk).setAgentName("gate").build(), config())
            .setBacklogInterval(Duration.ZERO)
            .build()) {
      Publisher publisher = baton.publisher();
      AllocationGate.Op batonOp = () -> publisher.publish(TOPIC, PAYLOAD);
      return AllocationGate.floorBatonAndSpan(
          SEND_WARMUP,
          producer::flush,
          onward ? AllocationGate.inUnsampledHandler(SEND_FLOOR) : SEND_FLOOR,
          onward ? AllocationGate.inUnsampledHandler(batonOp) : batonOp,
          sdk == sampledSdk ? spanAlone(SpanKind.PRODUCER) : null);
    }
  }

  private static AllocationGate.Op spanAlone(SpanKind kind) {
    var tracer = sampledSdk.getTracer("gate");
    return () -> Tracing.spanAlone(tracer, kind, PAYLOAD.length);
  }

  @Test
  void anUnsampledSendStaysWithinItsBudget() throws Exception {
    double[] measured = send(unsampledSdk, false);
    AllocationGate.printRootShare(
        Budgets.KAFKA_SEND,
        measured,
        AllocationGate.droppedRootSpan(unsampledSdk, SpanKind.PRODUCER));
    AllocationGate.check(Budgets.KAFKA_SEND, false, measured);
  }

  @Test
  void anUnsampledHandlersOnwardSendStaysWithinItsBudget() throws Exception {
    AllocationGate.check(Budgets.KAFKA_SEND_ONWARD, false, send(unsampledSdk, true));
  }

  @Test
  void aSampledSendAddsLittleToItsSpan() throws Exception {
    AllocationGate.check(Budgets.KAFKA_SEND, true, send(sampledSdk, false));
  }

  @Test
  void anUnsampledRecordStaysWithinItsBudget() throws Exception {
    AllocationGate.check(Budgets.KAFKA_RECEIVE, false, receive(unsampledSdk, "-00"));
  }

  @Test
  void aSampledRecordAddsLittleToItsSpan() throws Exception {
    AllocationGate.check(Budgets.KAFKA_RECEIVE, true, receive(sampledSdk, "-01"));
  }

  /**
   * What carrying a conversation adds to an unsampled handler's onward send: Baton with
   * conversations off in the handler's context (the floor here) against Baton with them on, in a
   * conversation.
   */
  @Test
  void aConversationAddsLittleToAnOnwardSend() throws Exception {
    Context inConversation;
    try (Scope ignored = Tracing.UNSAMPLED_SENDER.makeCurrent()) {
      inConversation = Conversation.begin("7f3a9c2e41d04b6e8a5f0c1d2e3b4a59");
    }
    try (KafkaBaton off =
            KafkaBaton.builder(Baton.builder(unsampledSdk).setAgentName("gate").build(), config())
                .setBacklogInterval(Duration.ZERO)
                .build();
        KafkaBaton on =
            KafkaBaton.builder(
                    Baton.builder(unsampledSdk)
                        .setAgentName("gate")
                        .setConversations(ConversationMode.MINT)
                        .build(),
                    config())
                .setBacklogInterval(Duration.ZERO)
                .build()) {
      Publisher offPublisher = off.publisher();
      Publisher onPublisher = on.publisher();
      AllocationGate.Op onOp =
          () -> {
            try (Scope ignored = inConversation.makeCurrent()) {
              onPublisher.publish(TOPIC, PAYLOAD);
            }
          };
      AllocationGate.check(
          Budgets.KAFKA_CONVERSATION_SEND,
          false,
          AllocationGate.floorBatonAndSpan(
              SEND_WARMUP,
              producer::flush,
              AllocationGate.inUnsampledHandler(() -> offPublisher.publish(TOPIC, PAYLOAD)),
              onOp,
              null));
    }
  }

  /**
   * What a conversation adds to an unsampled record: a plain record handled with conversations off
   * (the floor here) against one in a conversation (its id in baggage, its totals and a trail in
   * Baton's header) handled with them on.
   */
  @Test
  void aConversationAddsLittleToARecord() throws Exception {
    ConsumerRecord<String, byte[]> plain = received("-00");
    ConsumerRecord<String, byte[]> conversing =
        received(
            "-00c",
            " h=2,a=2.0000000400100000,t0="
                + System.currentTimeMillis() * 1000
                + ",ti=1200,to=340,tr=bf45f6d3",
            "gen_ai.conversation.id=7f3a9c2e41d04b6e8a5f0c1d2e3b4a59");
    PolicyRunner off = runner(Baton.builder(unsampledSdk));
    PolicyRunner on = runner(Baton.builder(unsampledSdk).setConversations(ConversationMode.MINT));
    AllocationGate.check(
        Budgets.KAFKA_CONVERSATION_RECEIVE,
        false,
        AllocationGate.floorBatonAndSpan(
            AllocationGate.WARMUP,
            () -> off.handle(plain, null),
            () -> on.handle(conversing, null),
            null));
  }

  /**
   * The application's handler alone (the floor) and Baton's handling of the record around it (its
   * per-record span and context), on a record as the consumer hands it over.
   */
  private static double[] receive(OpenTelemetrySdk sdk, String flags) throws Exception {
    ConsumerRecord<String, byte[]> record = received(flags);
    PolicyRunner runner = runner(Baton.builder(sdk));
    AllocationGate.Op floor = () -> sink = record.value();
    AllocationGate.Op batonOp = () -> runner.handle(record, null);
    return AllocationGate.floorBatonAndSpan(
        AllocationGate.WARMUP,
        floor,
        batonOp,
        sdk == sampledSdk ? spanAlone(SpanKind.CONSUMER) : null);
  }

  /** A subscription's runner for one record at a time, as a subscription's poll thread runs it. */
  private static PolicyRunner runner(Baton.Builder baton) {
    KafkaSender sender =
        new KafkaSender(
            producer,
            MessagingEngine.create(baton.setAgentName("gate").build(), KafkaWire.INSTANCE),
            false,
            true);
    return new PolicyRunner(
        sender,
        "gate",
        null,
        m -> sink = m.payload(),
        FailurePolicy.defaults(),
        false,
        () -> true,
        // As a subscription's: held for Kafka's default max.poll.interval.ms (the handler
        // watch takes each record), never long enough here to need the poll.
        new PolicyRunner.Hold() {
          @Override
          public long holdNanos() {
            return TimeUnit.MINUTES.toNanos(5);
          }

          @Override
          public void extend() {}
        });
  }

  /** A record with a traceparent and Baton's header, written to the broker and read back. */
  private static ConsumerRecord<String, byte[]> received(String flags) throws Exception {
    return received(flags, "", null);
  }

  /**
   * A record with a traceparent, Baton's header ending in {@code ledger} and, when not null, a
   * baggage header, written to the broker and read back ({@code key} tells it apart; its first
   * three characters are the traceparent's flags).
   */
  private static ConsumerRecord<String, byte[]> received(
      String key, String ledger, @Nullable String baggage) throws Exception {
    String flags = key.substring(0, 3);
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        "traceparent",
        (TRACEPARENT.substring(0, TRACEPARENT.length() - 3) + flags)
            .getBytes(StandardCharsets.US_ASCII));
    headers.add(
        "baton",
        ("1;"
                + System.currentTimeMillis() * 1000
                + ";0af7651916cd43dd8448eb211c80319c;sender"
                + ledger)
            .getBytes(StandardCharsets.US_ASCII));
    if (baggage != null) {
      headers.add("baggage", baggage.getBytes(StandardCharsets.US_ASCII));
    }
    producer.send(new ProducerRecord<>("gate.receive", null, key, PAYLOAD, headers)).get();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                broker.bootstrapServers(),
                "group.id",
                "gate" + key,
                "auto.offset.reset",
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("gate.receive"));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, byte[]> record : records) {
          if (key.equals(record.key())) {
            return record;
          }
        }
      }
    }
    return fail("the gate's record did not come back from the broker");
  }
}
