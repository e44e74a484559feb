/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import dev.baton.launchers.KafkaBroker;
import dev.baton.propagation.Baton;
import dev.baton.transport.Publisher;
import dev.baton.transport.kafka.KafkaBaton;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Kafka send of a 1 KiB record without waiting for the acknowledgement, to a KRaft broker the
 * benchmark starts in a child JVM: the raw producer, the raw producer with one {@code traceparent}
 * header (the floor), OpenTelemetry's {@code KafkaTelemetry} wrapper, and Baton sampled and
 * unsampled. Every variant has its own producer with the same settings. The broker's pace is in
 * every figure (the producer blocks when its buffer is full); allocation per op is the steadier
 * figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class KafkaSendBenchmark {

  static final String TOPIC = "bench.send";
  private static final byte[] TRACEPARENT =
      NatsPublishBenchmark.TRACEPARENT.getBytes(StandardCharsets.US_ASCII);

  private KafkaBroker broker;
  private OpenTelemetrySdk sampledSdk;
  private OpenTelemetrySdk unsampledSdk;
  private Producer<String, byte[]> raw;
  private Producer<String, byte[]> rawFloor;
  private Producer<String, byte[]> otel;
  private KafkaBaton sampled;
  private KafkaBaton unsampled;
  private Publisher sampledPublisher;
  private Publisher unsampledPublisher;
  private KafkaBaton conversingSampled;
  private KafkaBaton conversingUnsampled;
  private Publisher conversingSampledPublisher;
  private Publisher conversingUnsampledPublisher;
  private Context inConversation;
  private Context inConversationUnsampledSender;
  private byte[] payload;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    broker = KafkaBroker.start();
    broker.createTopic(TOPIC, 1);
    payload = new byte[1024];
    sampledSdk = Tracing.sdk(Tracing.Sampling.SAMPLED);
    unsampledSdk = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
    raw = producer();
    rawFloor = producer();
    otel = KafkaTelemetry.create(sampledSdk).wrap(producer());
    sampled = baton(sampledSdk);
    unsampled = baton(unsampledSdk);
    sampledPublisher = sampled.publisher();
    unsampledPublisher = unsampled.publisher();
    conversingSampled = baton(Tracing.conversing(sampledSdk));
    conversingUnsampled = baton(Tracing.conversing(unsampledSdk));
    conversingSampledPublisher = conversingSampled.publisher();
    conversingUnsampledPublisher = conversingUnsampled.publisher();
    inConversation = Tracing.inConversation(Context.root());
    inConversationUnsampledSender = Tracing.inConversation(Tracing.UNSAMPLED_SENDER);
  }

  private Map<String, Object> config() {
    return Map.of("bootstrap.servers", broker.bootstrapServers());
  }

  private Producer<String, byte[]> producer() {
    return new KafkaProducer<>(config(), new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaBaton baton(OpenTelemetrySdk sdk) {
    return baton(Baton.builder(sdk).setAgentName("bench"));
  }

  private KafkaBaton baton(Baton.Builder baton) {
    return KafkaBaton.builder(baton.build(), config()).setBacklogInterval(Duration.ZERO).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    sampled.close();
    unsampled.close();
    conversingSampled.close();
    conversingUnsampled.close();
    raw.close();
    rawFloor.close();
    otel.close();
    sampledSdk.close();
    unsampledSdk.close();
    broker.close();
  }

  @Benchmark
  public Object raw() {
    return raw.send(new ProducerRecord<>(TOPIC, payload));
  }

  @Benchmark
  public Object rawWithTraceparent() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", TRACEPARENT);
    return rawFloor.send(new ProducerRecord<>(TOPIC, null, (String) null, payload, headers));
  }

  @Benchmark
  public Object kafkaTelemetry() {
    return otel.send(new ProducerRecord<>(TOPIC, payload));
  }

  @Benchmark
  public void batonSampled() {
    sampledPublisher.publish(TOPIC, payload);
  }

  /** What the OpenTelemetry SDK alone costs for the PRODUCER span (for the sampled figures). */
  @Benchmark
  public void sdkSpanAlone() {
    Tracing.spanAlone(sampledSdk.getTracer("bench"), SpanKind.PRODUCER, payload.length);
  }

  /** {@link #batonSampled} with conversations on, inside one (its totals written on). */
  @Benchmark
  public void batonConversationSampled() {
    try (io.opentelemetry.context.Scope ignored = inConversation.makeCurrent()) {
      conversingSampledPublisher.publish(TOPIC, payload);
    }
  }

  /** {@link #batonUnsampledOnward} with conversations on, inside one. */
  @Benchmark
  public void batonConversationUnsampledOnward() {
    try (io.opentelemetry.context.Scope ignored = inConversationUnsampledSender.makeCurrent()) {
      conversingUnsampledPublisher.publish(TOPIC, payload);
    }
  }

  @Benchmark
  public void batonUnsampled() {
    unsampledPublisher.publish(TOPIC, payload);
  }

  /** An unsampled send from a handler whose message's sender was not sampled. */
  @Benchmark
  public void batonUnsampledOnward() {
    try (io.opentelemetry.context.Scope ignored = Tracing.UNSAMPLED_SENDER.makeCurrent()) {
      unsampledPublisher.publish(TOPIC, payload);
    }
  }
}
