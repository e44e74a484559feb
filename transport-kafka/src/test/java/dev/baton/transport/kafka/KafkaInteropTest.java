/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.SharedKafka;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Subscription;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Baton and OpenTelemetry's own Kafka instrumentation ({@code KafkaTelemetry}) on the same records,
 * both directions: one trace, one {@code traceparent} on the wire.
 */
class KafkaInteropTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final String OTEL_SCOPE = "io.opentelemetry.kafka-clients-2.6";

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private KafkaBaton baton(String agent, java.util.function.Consumer<KafkaBaton.Builder> config) {
    KafkaBaton.Builder builder =
        KafkaBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry()).setAgentName(agent).build(),
                Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
            .setPollTimeout(Duration.ofMillis(100))
            .setBacklogInterval(Duration.ZERO);
    config.accept(builder);
    KafkaBaton kafka = builder.build();
    toClose.add(kafka);
    return kafka;
  }

  private Producer<String, byte[]> otelProducer() {
    Producer<String, byte[]> producer =
        KafkaTelemetry.create(OTEL.getOpenTelemetry())
            .wrap(
                new KafkaProducer<>(
                    Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                    new StringSerializer(),
                    new ByteArraySerializer()));
    toClose.add(producer);
    return producer;
  }

  private Consumer<String, byte[]> rawConsumer(String topic, boolean instrumented) {
    Consumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                unique("raw"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    if (instrumented) {
      consumer = KafkaTelemetry.create(OTEL.getOpenTelemetry()).wrap(consumer);
    }
    consumer.subscribe(List.of(topic));
    toClose.add(consumer);
    return consumer;
  }

  private static List<ConsumerRecord<String, byte[]>> pollOne(Consumer<String, byte[]> consumer) {
    List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (got.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        got.add(record); // iterating ends OpenTelemetry's process span on the next hasNext()
      }
    }
    assertThat(got).as("a record arrived").isNotEmpty();
    return got;
  }

  private static List<String> traceparents(ConsumerRecord<String, byte[]> record) {
    List<String> values = new ArrayList<>();
    for (Header header : record.headers().headers("traceparent")) {
      values.add(new String(header.value(), StandardCharsets.UTF_8));
    }
    return values;
  }

  private static boolean fromOtel(SpanData span) {
    return span.getInstrumentationScopeInfo().getName().equals(OTEL_SCOPE);
  }

  @Test
  void aRecordFromAKafkaTelemetryProducerContinuesInABatonConsumer() throws Exception {
    String topic = unique("otel-to-baton");
    List<Message> got = new CopyOnWriteArrayList<>();
    Subscription subscription =
        baton("reviewer", b -> {}).subscriber().subscribe(topic, "reviewers", got::add);
    assertThat(((KafkaSubscription) subscription).awaitAssignment(Duration.ofSeconds(30))).isTrue();
    Span agentSpan = OTEL.getOpenTelemetry().getTracer("agent").spanBuilder("plan").startSpan();

    try (Scope ignored = agentSpan.makeCurrent()) {
      otelProducer()
          .send(new ProducerRecord<>(topic, "draft".getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    } finally {
      agentSpan.end();
    }

    Await.until("Baton handled it", () -> got.size() == 1);
    List<SpanData> spans =
        Await.size(
            "spans",
            3,
            () -> OTEL.getSpans().stream().filter(s -> s.getKind() != SpanKind.CLIENT).toList());
    SpanData otelSend =
        spans.stream()
            .filter(s -> fromOtel(s) && s.getKind() == SpanKind.PRODUCER)
            .findFirst()
            .orElseThrow();
    SpanData batonProcess =
        spans.stream()
            .filter(s -> s.getName().equals("process " + topic))
            .findFirst()
            .orElseThrow();
    assertThat(otelSend.getTraceId()).isEqualTo(agentSpan.getSpanContext().getTraceId());
    assertThat(batonProcess.getTraceId()).isEqualTo(agentSpan.getSpanContext().getTraceId());
    assertThat(batonProcess.getParentSpanId()).isEqualTo(otelSend.getSpanId());
    assertThat(got.get(0).headers()).containsKey("traceparent");
  }

  @Test
  void aBatonRecordContinuesInAKafkaTelemetryConsumer() throws Exception {
    String topic = unique("baton-to-otel");
    KafkaBaton kafka = baton("writer", b -> {});
    kafka.publisher().publish(OutboundMessage.of(topic, "draft")).get(30, TimeUnit.SECONDS);

    List<ConsumerRecord<String, byte[]>> records = pollOne(rawConsumer(topic, true));

    assertThat(traceparents(records.get(0))).hasSize(1);
    List<SpanData> spans =
        Await.size(
            "spans",
            2,
            () -> OTEL.getSpans().stream().filter(s -> s.getKind() != SpanKind.CLIENT).toList());
    SpanData batonSend =
        spans.stream().filter(s -> s.getName().equals("send " + topic)).findFirst().orElseThrow();
    SpanData otelProcess =
        spans.stream()
            .filter(s -> fromOtel(s) && s.getKind() == SpanKind.CONSUMER)
            .findFirst()
            .orElseThrow();
    assertThat(otelProcess.getTraceId()).isEqualTo(batonSend.getTraceId());
    assertThat(otelProcess.getParentSpanId()).isEqualTo(batonSend.getSpanId());
  }

  @Test
  void whenBothInjectTheRecordCarriesOneTraceparentAndOneTrace() throws Exception {
    String topic = unique("both");
    KafkaBaton kafka = baton("writer", b -> b.setProducer(otelProducer()));
    List<Message> got = new CopyOnWriteArrayList<>();
    Subscription subscription =
        baton("reviewer", b -> {}).subscriber().subscribe(topic, "reviewers", got::add);
    assertThat(((KafkaSubscription) subscription).awaitAssignment(Duration.ofSeconds(30))).isTrue();
    Consumer<String, byte[]> wire = rawConsumer(topic, false);

    kafka.publisher().publish(OutboundMessage.of(topic, "draft")).get(30, TimeUnit.SECONDS);

    ConsumerRecord<String, byte[]> onTheWire = pollOne(wire).get(0);
    List<String> traceparents = traceparents(onTheWire);
    assertThat(traceparents).hasSize(1);
    Await.until("Baton handled it", () -> got.size() == 1);
    List<SpanData> spans =
        Await.size(
            "spans",
            3,
            () -> OTEL.getSpans().stream().filter(s -> s.getKind() != SpanKind.CLIENT).toList());
    SpanData batonSend =
        spans.stream().filter(s -> s.getName().equals("send " + topic)).findFirst().orElseThrow();
    SpanData otelSend =
        spans.stream()
            .filter(s -> fromOtel(s) && s.getKind() == SpanKind.PRODUCER)
            .findFirst()
            .orElseThrow();
    SpanData batonProcess =
        spans.stream()
            .filter(s -> s.getName().equals("process " + topic))
            .findFirst()
            .orElseThrow();
    assertThat(otelSend.getParentSpanId())
        .as("OpenTelemetry's send nests under Baton's")
        .isEqualTo(batonSend.getSpanId());
    assertThat(traceparents.get(0)).contains(batonSend.getTraceId());
    assertThat(batonProcess.getTraceId()).isEqualTo(batonSend.getTraceId());
    assertThat(batonProcess.getParentSpanId()).isIn(otelSend.getSpanId(), batonSend.getSpanId());
  }
}
