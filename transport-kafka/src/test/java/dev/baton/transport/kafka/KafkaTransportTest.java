/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.Baton;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationMode;
import dev.baton.testing.Await;
import dev.baton.testing.RecordingListener;
import dev.baton.testing.SharedKafka;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What is specific to Kafka: acks, the poll loop, the failure policy, bad records. */
class KafkaTransportTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  static final AttributeKey<Long> DELIVERY_COUNT =
      AttributeKey.longKey("baton.message.delivery_count");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private KafkaBaton kafka(String agent, Consumer<KafkaBaton.Builder> config) {
    return kafka(agent, b -> {}, config);
  }

  private KafkaBaton kafka(
      String agent, Consumer<Baton.Builder> baton, Consumer<KafkaBaton.Builder> config) {
    Baton.Builder batonBuilder =
        Baton.builder(OTEL.getOpenTelemetry()).setAgentName(agent).addListener(listener);
    baton.accept(batonBuilder);
    KafkaBaton.Builder builder =
        KafkaBaton.builder(
                batonBuilder.build(), Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
            .setPollTimeout(Duration.ofMillis(100))
            .setBacklogInterval(Duration.ZERO);
    config.accept(builder);
    KafkaBaton kafka = builder.build();
    toClose.add(kafka);
    return kafka;
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void ready(Subscription subscription) throws InterruptedException {
    assertThat(((KafkaSubscription) subscription).awaitAssignment(Duration.ofSeconds(30))).isTrue();
  }

  private KafkaProducer<String, byte[]> rawProducer() {
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "max.request.size", 4 << 20),
            new StringSerializer(),
            new ByteArraySerializer());
    toClose.add(producer);
    return producer;
  }

  private List<SpanData> spansOf(SpanKind kind, int atLeast) {
    return Await.size(
        kind + " spans",
        atLeast,
        () -> OTEL.getSpans().stream().filter(s -> s.getKind() == kind).toList());
  }

  @Test
  void aSubscriptionToTopicsThatDoNotExistYetGetsTheFirstMessagePublishedToEach() throws Exception {
    KafkaBaton kafka = kafka("newcomer", b -> {});
    int topics = 8;
    List<String> names = new ArrayList<>();
    Map<String, CompletableFuture<String>> received = new ConcurrentHashMap<>();
    for (int i = 0; i < topics; i++) {
      String topic = unique("not-yet");
      names.add(topic);
      CompletableFuture<String> got = new CompletableFuture<>();
      received.put(topic, got);
      ready(
          kafka
              .subscriber()
              .subscribe(topic, "first-" + i, m -> got.complete(m.payloadAsString())));
    }
    for (String topic : names) {
      kafka.publisher().publish(OutboundMessage.of(topic, "hello " + topic));
    }

    for (String topic : names) {
      assertThat(received.get(topic).get(20, TimeUnit.SECONDS)).isEqualTo("hello " + topic);
    }
  }

  @Test
  void aSendSpanEndsOnTheAckWithPartitionAndOffsetAndNoKey() throws Exception {
    String topic = unique("acked");
    KAFKA.createTopic(topic, 3);
    KafkaBaton kafka = kafka("producer", b -> {});

    PublishReceipt receipt =
        kafka
            .publisher()
            .publish(OutboundMessage.of(topic, "hello").withKey("customer-42"))
            .get(30, TimeUnit.SECONDS);

    // The span ends on the acknowledgement, before the future completes: it is exported already
    // (no waiting here), where a span ended later would not be.
    List<SpanData> sends =
        OTEL.getSpans().stream().filter(s -> s.getKind() == SpanKind.PRODUCER).toList();
    assertThat(sends).hasSize(1);
    SpanData send = sends.get(0);
    assertThat(send.getName()).isEqualTo("send " + topic);
    assertThat(send.getAttributes().get(KafkaSender.PARTITION)).isEqualTo(receipt.partition());
    assertThat(send.getAttributes().get(KafkaSender.OFFSET)).isEqualTo(receipt.sequence());
    assertThat(send.getAttributes().get(KafkaSender.KEY)).isNull();
    assertThat(send.getAttributes().asMap().values().toString()).doesNotContain("customer-42");
    assertThat(listener.sent).singleElement().satisfies(s -> assertThat(s.errorType()).isNull());
  }

  @Test
  void keysReachSpansOnlyWhenTheUserOptsIn() throws Exception {
    String topic = unique("keys");
    KafkaBaton kafka = kafka("producer", b -> b.setRecordKeys(true));

    kafka
        .publisher()
        .publish(OutboundMessage.of(topic, "x").withKey("order-7"))
        .get(30, TimeUnit.SECONDS);

    assertThat(spansOf(SpanKind.PRODUCER, 1).get(0).getAttributes().get(KafkaSender.KEY))
        .isEqualTo("order-7");
  }

  @Test
  void aSendThatFailsIsAnErrorSpanAndTheClientsException() throws Exception {
    KafkaBaton kafka =
        kafka("producer", b -> b.setProducerConfig(Map.of("max.request.size", 1024)));

    var future = kafka.publisher().publish(OutboundMessage.of(unique("big"), new byte[4096]));

    Await.until("the send failed", future::isDone);
    assertThat(future).isCompletedExceptionally();
    SpanData send = spansOf(SpanKind.PRODUCER, 1).get(0);
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(send.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("org.apache.kafka.common.errors.RecordTooLargeException");
  }

  @Test
  void byDefaultAPollMakesNoSpanOfItsOwnSoEachTraceIsOneHandOff() throws Exception {
    String topic = unique("nopoll");
    KafkaBaton kafka = kafka("worker", b -> {});
    for (int i = 0; i < 3; i++) {
      kafka.publisher().publish(OutboundMessage.of(topic, "r" + i)).get(30, TimeUnit.SECONDS);
    }
    AtomicInteger handled = new AtomicInteger();

    kafka.subscriber().subscribe(topic, "no-polls", m -> handled.incrementAndGet());

    Await.until("three handled", () -> handled.get() == 3);
    List<SpanData> processes = spansOf(SpanKind.CONSUMER, 3);
    assertThat(OTEL.getSpans()).noneMatch(s -> s.getKind() == SpanKind.CLIENT);
    assertThat(OTEL.getSpans().stream().map(SpanData::getTraceId).distinct())
        .as("one trace per record")
        .hasSize(3);
    assertThat(processes).allSatisfy(p -> assertThat(p.getParentSpanContext().isValid()).isTrue());
  }

  @Test
  void withPollSpansAPollOfSeveralRecordsIsOnePollSpanLinkedToEachRecord() throws Exception {
    String topic = unique("batch");
    KafkaBaton kafka = kafka("worker", b -> b.setPollSpans(true));
    for (int i = 0; i < 5; i++) {
      kafka.publisher().publish(OutboundMessage.of(topic, "r" + i)).get(30, TimeUnit.SECONDS);
    }
    List<SpanData> sends = spansOf(SpanKind.PRODUCER, 5);
    AtomicInteger handled = new AtomicInteger();

    kafka.subscriber().subscribe(topic, "batchers", m -> handled.incrementAndGet());

    Await.until("five handled", () -> handled.get() == 5);
    List<SpanData> polls = spansOf(SpanKind.CLIENT, 1);
    assertThat(polls).allSatisfy(p -> assertThat(p.getName()).isEqualTo("poll " + topic));
    Set<String> linked =
        polls.stream()
            .flatMap(p -> p.getLinks().stream())
            .map(l -> l.getSpanContext().getSpanId())
            .collect(Collectors.toSet());
    assertThat(linked)
        .containsExactlyInAnyOrderElementsOf(sends.stream().map(SpanData::getSpanId).toList());
    SpanData biggest =
        polls.stream().max((a, b) -> a.getLinks().size() - b.getLinks().size()).orElseThrow();
    assertThat(biggest.getLinks().size()).as("one poll returned several records").isGreaterThan(1);
    assertThat(biggest.getAttributes().get(AttributeKey.longKey("messaging.batch.message_count")))
        .isEqualTo((long) biggest.getLinks().size());
    assertThat(biggest.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")))
        .isEqualTo("receive");
    List<SpanData> processes = spansOf(SpanKind.CONSUMER, 5);
    for (SpanData process : processes) {
      SpanData send =
          sends.stream()
              .filter(
                  s ->
                      s.getAttributes()
                          .get(MESSAGE_ID)
                          .equals(process.getAttributes().get(MESSAGE_ID)))
              .findFirst()
              .orElseThrow();
      assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
      assertThat(process.getAttributes().get(KafkaSender.OFFSET)).isNotNull();
      assertThat(process.getAttributes().get(KafkaSender.PARTITION)).isEqualTo("0");
      assertThat(
              process.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name")))
          .isEqualTo("batchers");
    }
  }

  @Test
  void aFlakyHandlerIsRetriedToSuccessAndCommittedOnce() throws Exception {
    String topic = unique("flaky");
    KafkaBaton kafka =
        kafka(
            "worker",
            b ->
                b.setFailurePolicy(
                    FailurePolicy.retry(3, Duration.ofMillis(10), Duration.ofMillis(40))
                        .thenStop()));
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    Subscription subscription =
        kafka
            .subscriber()
            .subscribe(
                topic,
                "retriers",
                m -> {
                  attempts.add(m.deliveryCount());
                  if (m.deliveryCount() < 3) {
                    throw new IllegalStateException("tool timeout");
                  }
                });
    ready(subscription);

    kafka.publisher().publish(OutboundMessage.of(topic, "job")).get(30, TimeUnit.SECONDS);

    Await.until("third attempt succeeded", () -> attempts.size() == 3);
    subscription.drain(Duration.ofSeconds(10));
    assertThat(attempts).containsExactly(1, 2, 3);
    List<SpanData> processes = spansOf(SpanKind.CONSUMER, 3);
    assertThat(processes)
        .extracting(s -> s.getAttributes().get(DELIVERY_COUNT))
        .containsExactly(1L, 2L, 3L);
    assertThat(processes)
        .extracting(s -> s.getStatus().getStatusCode())
        .containsExactly(StatusCode.ERROR, StatusCode.ERROR, StatusCode.UNSET);
    assertThat(listener.processed)
        .extracting(TransportListener.Processed::outcome)
        .containsExactly(Outcome.NAK, Outcome.NAK, Outcome.ACK);
    assertThat(committed(topic, "retriers")).isEqualTo(1);
  }

  @Test
  void aRecordThatKeepsFailingLandsOnTheDeadLetterTopicInTheSameTrace() throws Exception {
    String topic = unique("poison");
    String dlq = topic + ".dlq";
    KafkaBaton kafka =
        kafka(
            "worker",
            b ->
                b.setFailurePolicy(
                    FailurePolicy.retry(1, Duration.ofMillis(10), Duration.ofMillis(10))
                        .thenDeadLetter(dlq)));
    AtomicInteger good = new AtomicInteger();
    kafka
        .subscriber()
        .subscribe(
            topic,
            "workers",
            m -> {
              if (m.payloadAsString().equals("poison")) {
                throw new IllegalArgumentException("cannot parse");
              }
              good.incrementAndGet();
            });
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    kafka.subscriber().subscribe(dlq, "dlq-readers", deadLetters::add);

    kafka
        .publisher()
        .publish(OutboundMessage.of(topic, "poison").withKey("k1"))
        .get(30, TimeUnit.SECONDS);
    kafka.publisher().publish(OutboundMessage.of(topic, "fine")).get(30, TimeUnit.SECONDS);

    Await.until("the poison record was dead-lettered", () -> deadLetters.size() == 1);
    Await.until("the next record was handled", () -> good.get() == 1);
    Message dead = deadLetters.get(0);
    assertThat(dead.payloadAsString()).isEqualTo("poison");
    assertThat(dead.headers())
        .containsEntry("baton-dlq-error", "java.lang.IllegalArgumentException")
        .containsEntry("baton-dlq-topic", topic)
        .containsEntry("baton-dlq-group", "workers")
        .containsKey("baton-dlq-offset");
    List<SpanData> spans = Await.size("spans", 7, OTEL::getSpans);
    SpanData lastAttempt =
        spans.stream()
            .filter(s -> s.getName().equals("process " + topic))
            .filter(s -> Long.valueOf(2).equals(s.getAttributes().get(DELIVERY_COUNT)))
            .findFirst()
            .orElseThrow();
    SpanData dlqSend =
        spans.stream().filter(s -> s.getName().equals("send " + dlq)).findFirst().orElseThrow();
    assertThat(dlqSend.getParentSpanId()).isEqualTo(lastAttempt.getSpanId());
    SpanData dlqProcess =
        spans.stream().filter(s -> s.getName().equals("process " + dlq)).findFirst().orElseThrow();
    assertThat(dlqProcess.getTraceId()).isEqualTo(lastAttempt.getTraceId());
    Await.until("both offsets committed", () -> committed(topic, "workers") == 2);
    assertThat(
            listener.processed.stream()
                .filter(p -> p.destination().equals(topic))
                .map(TransportListener.Processed::outcome))
        .containsExactly(Outcome.NAK, Outcome.DEAD_LETTERED, Outcome.ACK);
  }

  @Test
  void theConversationSurvivesTheDeadLetterTopicAndARefusedRecordLandsThereWithItsReason()
      throws Exception {
    String topic = unique("conv-dlq");
    String dlq = topic + ".dlq";
    KafkaBaton worker =
        kafka(
            "worker",
            b -> b.setConversations(ConversationMode.REQUIRE),
            b ->
                b.setFailurePolicy(
                    FailurePolicy.retry(1, Duration.ofMillis(10), Duration.ofMillis(10))
                        .thenDeadLetter(dlq)));
    KafkaBaton reader = kafka("reader", b -> b.setConversations(ConversationMode.MINT), b -> {});
    KafkaBaton producer =
        kafka("producer", b -> b.setConversations(ConversationMode.MINT), b -> {});
    KafkaBaton plain = kafka("plain", b -> {});
    AtomicInteger handled = new AtomicInteger();
    ready(
        worker
            .subscriber()
            .subscribe(
                topic,
                "workers",
                m -> {
                  handled.incrementAndGet();
                  throw new IllegalArgumentException("cannot parse");
                }));
    Map<String, String> conversations = new ConcurrentHashMap<>();
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    ready(
        reader
            .subscriber()
            .subscribe(
                dlq,
                "dlq-readers",
                m -> {
                  conversations.put(m.payloadAsString(), Conversation.current().id());
                  deadLetters.add(m);
                }));

    try (Scope ignored = Conversation.begin("c-dlq").makeCurrent()) {
      producer.publisher().publish(OutboundMessage.of(topic, "poison")).get(30, TimeUnit.SECONDS);
    }
    plain.publisher().publish(OutboundMessage.of(topic, "none")).get(30, TimeUnit.SECONDS);

    Await.until("both dead-lettered", () -> deadLetters.size() == 2);
    assertThat(handled).as("the refused record's handler never ran").hasValue(2);
    assertThat(conversations).containsEntry("poison", "c-dlq");
    Message poison =
        deadLetters.stream().filter(m -> m.payloadAsString().equals("poison")).findFirst().get();
    assertThat(poison.headers())
        .containsEntry("baton-dlq-error", "java.lang.IllegalArgumentException")
        .doesNotContainKey("baton-refused");
    Message refused =
        deadLetters.stream().filter(m -> m.payloadAsString().equals("none")).findFirst().get();
    assertThat(refused.headers())
        .containsEntry("baton-dlq-error", "baton.refused")
        .containsEntry("baton-refused", "conversation_required")
        .containsEntry("baton-dlq-topic", topic);
    Await.until("both offsets committed", () -> committed(topic, "workers") == 2);
    assertThat(
            listener.processed.stream()
                .filter(p -> p.destination().equals(topic))
                .map(TransportListener.Processed::outcome))
        .containsExactly(Outcome.NAK, Outcome.DEAD_LETTERED, Outcome.REFUSED);
  }

  @Test
  void aStopPolicyLeavesTheFailedRecordForTheGroupsNextConsumer() throws Exception {
    String topic = unique("halt");
    KafkaBaton first =
        kafka(
            "first",
            b ->
                b.setFailurePolicy(
                    FailurePolicy.retry(1, Duration.ofMillis(5), Duration.ofMillis(5)).thenStop()));
    KafkaSubscription failing =
        (KafkaSubscription)
            first
                .subscriber()
                .subscribe(
                    topic,
                    "stoppers",
                    m -> {
                      throw new IllegalStateException("model unavailable");
                    });
    first.publisher().publish(OutboundMessage.of(topic, "important")).get(30, TimeUnit.SECONDS);

    Await.until("the subscription stopped", failing::stoppedByFailure);
    assertThat(listener.connection)
        .anySatisfy(c -> assertThat(c.detail()).contains("stopped by its failure policy"));
    List<Message> rescued = new CopyOnWriteArrayList<>();
    KafkaBaton second = kafka("second", b -> {});
    second.subscriber().subscribe(topic, "stoppers", rescued::add);

    Await.until("the next consumer got the record", () -> rescued.size() == 1);
    assertThat(rescued.get(0).payloadAsString()).isEqualTo("important");
  }

  @Test
  void closingUnderLoadLosesNothingAcrossAConsumerRestart() throws Exception {
    String topic = unique("load");
    KAFKA.createTopic(topic, 2);
    int count = 400;
    KafkaBaton producer = kafka("producer", b -> {});
    for (int i = 0; i < count; i++) {
      producer.publisher().publish(OutboundMessage.of(topic, "job-" + i).withKey("k" + (i % 7)));
    }
    Map<String, Integer> handled = new ConcurrentHashMap<>();
    MessageHandler work =
        m -> {
          Thread.sleep(1); // simulated work keeps the batch busy while we close
          handled.merge(m.payloadAsString(), 1, Integer::sum);
        };
    KafkaBaton firstWorker = kafka("worker-1", b -> {});
    Subscription first = firstWorker.subscriber().subscribe(topic, "loaders", work);
    Await.until("work under way", () -> handled.size() >= 50);

    assertThat(first.drain(Duration.ofSeconds(10))).isTrue();
    int atClose = handled.size();
    KafkaBaton secondWorker = kafka("worker-2", b -> {});
    secondWorker.subscriber().subscribe(topic, "loaders", work);

    Await.until("every record handled", () -> handled.size() == count);
    assertThat(atClose).isLessThan(count);
    assertThat(handled.keySet())
        .containsExactlyInAnyOrderElementsOf(
            IntStream.range(0, count).mapToObj(i -> "job-" + i).toList());
    Await.until("all offsets committed", () -> committed(topic, "loaders") == count);
  }

  @Test
  void badRecordsNeverReachTheHandlerAsAnException() throws Exception {
    String topic = unique("bad");
    KAFKA.createTopic(topic, 1, Map.of("max.message.bytes", Integer.toString(4 << 20)));
    KafkaBaton kafka = kafka("consumer", b -> {});
    List<Message> got = new CopyOnWriteArrayList<>();
    Subscription subscription = kafka.subscriber().subscribe(topic, "bad-readers", got::add);
    ready(subscription);
    KafkaProducer<String, byte[]> raw = rawProducer();
    String valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    records.add(
        new ProducerRecord<>(topic, "no-headers", "plain".getBytes(StandardCharsets.UTF_8)));
    records.add(new ProducerRecord<>(topic, "tombstone", null));
    RecordHeaders binary = new RecordHeaders();
    binary.add("traceparent", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
    binary.add("baggage", new byte[] {(byte) 0xc3, (byte) 0x28});
    binary.add("x-app", null);
    records.add(new ProducerRecord<>(topic, null, "binary", new byte[] {1}, binary));
    RecordHeaders huge = new RecordHeaders();
    huge.add("traceparent", "0".repeat(1 << 20).getBytes(StandardCharsets.UTF_8));
    records.add(new ProducerRecord<>(topic, null, "huge", new byte[] {2}, huge));
    RecordHeaders duplicated = new RecordHeaders();
    duplicated.add(
        "traceparent",
        "00-11111111111111111111111111111111-1111111111111111-01".getBytes(StandardCharsets.UTF_8));
    duplicated.add("traceparent", valid.getBytes(StandardCharsets.UTF_8));
    records.add(new ProducerRecord<>(topic, null, "duplicated", new byte[] {3}, duplicated));

    for (ProducerRecord<String, byte[]> record : records) {
      raw.send(record).get(30, TimeUnit.SECONDS);
    }

    Await.until("every bad record handled", () -> got.size() == records.size());
    assertThat(listener.processed)
        .extracting(TransportListener.Processed::outcome)
        .containsOnly(Outcome.ACK);
    assertThat(got.get(1).payload()).isEmpty();
    List<SpanData> processes = spansOf(SpanKind.CONSUMER, records.size());
    assertThat(
            processes
                .get(1)
                .getAttributes()
                .get(AttributeKey.booleanKey("messaging.kafka.message.tombstone")))
        .isTrue();
    SpanData lastWins =
        processes.stream()
            .filter(s -> s.getTraceId().equals("4bf92f3577b34da6a3ce929d0e0e4736"))
            .findFirst()
            .orElseThrow();
    assertThat(lastWins.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(processes.stream().filter(s -> !s.getParentSpanContext().isValid())).hasSize(4);
    assertThat(listener.inboundReasons())
        .contains(
            RejectionReason.MISSING_CONTEXT,
            RejectionReason.INVALID_TRACEPARENT,
            RejectionReason.INVALID_BAGGAGE,
            RejectionReason.DUPLICATE_HEADER);
  }

  @Test
  void badConfigurationFailsAtBuild() {
    Baton baton = Baton.builder(OTEL.getOpenTelemetry()).build();
    Assertions.assertThatThrownBy(() -> KafkaBaton.builder(baton, Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrap.servers");
    Assertions.assertThatThrownBy(
            () ->
                KafkaBaton.builder(
                        baton,
                        Map.of("bootstrap.servers", "127.0.0.1:1", "enable.auto.commit", "true"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("enable.auto.commit");
  }

  /** The committed offsets of {@code group} on {@code topic}, summed over partitions. */
  private long committed(String topic, String group) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                group),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      var partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .collect(Collectors.toSet());
      return consumer.committed(partitions).values().stream()
          .filter(Objects::nonNull)
          .mapToLong(o -> o.offset())
          .sum();
    }
  }

  @Test
  void aGroupThatCommittedNothingHasAnUnknownLagNotTheWholeLog() throws Exception {
    String topic = unique("fresh");
    KafkaBaton worker = kafka("worker", b -> {});
    CountDownLatch release = new CountDownLatch(1);
    worker.subscriber().subscribe(topic, "newcomers", m -> release.await(30, TimeUnit.SECONDS));
    kafka("producer", b -> {})
        .publisher()
        .publish(OutboundMessage.of(topic, "first"))
        .get(30, TimeUnit.SECONDS);

    Await.until(
        "the probe saw the partition",
        () -> {
          worker.probe();
          return !listener.backlog.isEmpty();
        });
    release.countDown();

    assertThat(lastBacklog().lagMessages()).isNaN();
    assertThat(lastBacklog().lagSeconds()).isNaN();
    assertThat(listener.connection)
        .anySatisfy(
            c -> assertThat(c.event()).isEqualTo(TransportListener.ConnectionEvent.CONNECTED));
  }

  private TransportListener.Backlog lastBacklog() {
    return listener.backlog.isEmpty()
        ? new TransportListener.Backlog("kafka", "", "", "", Double.NaN, Double.NaN, Double.NaN)
        : listener.backlog.get(listener.backlog.size() - 1);
  }
}
