/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import com.sun.management.ThreadMXBean;
import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.NatsServer;
import dev.baton.propagation.Baton;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Subscription;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.nats.NatsBaton;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.instrumentation.nats.v2_17.NatsTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;

/**
 * End-to-end throughput, publish and handle, on brokers this program starts: NATS (a handler on a
 * second connection counts 1 KiB messages; at most 10,000 in flight) and Kafka (send N records and
 * flush; consume the N records the same kind of sender wrote, from the first record handled to the
 * last: an unsampled consumer reads unsampled contexts). After one warm-up round that is not
 * counted, variants run in alternating order for several rounds; it prints each variant's median
 * messages per second, its ratio to the floor (the raw client with one {@code traceparent} header)
 * and the bytes allocated per message by the whole JVM.
 *
 * <p>{@code java ... dev.baton.bench.Throughput [--messages N] [--rounds R] [--only nats|kafka]
 * [--variants REGEX]} ({@code --variants}: only the variants whose name matches, beside each floor;
 * for profiling one of them; a Kafka consume variant runs with the send variant of the same kind,
 * whose records it reads)
 *
 * <p>Longer than 400 lines, for a reason: every variant of both brokers is here side by side, so
 * that what the raw client, OpenTelemetry's wrapper and Baton each do per message can be compared
 * in one file; the rounds, medians and report are its last hundred lines.
 */
public final class Throughput {

  private static final String TRACEPARENT = NatsPublishBenchmark.TRACEPARENT;
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final int WINDOW = 10_000;

  private final int messages;
  private final int rounds;
  private final byte[] payload = new byte[1024];
  private final Map<String, List<double[]>> results = new LinkedHashMap<>();
  private final @Nullable Pattern only;

  private Throughput(int messages, int rounds, @Nullable Pattern only) {
    this.messages = messages;
    this.rounds = rounds;
    this.only = only;
  }

  public static void main(String[] args) throws Exception {
    int messages = 100_000;
    int rounds = 5;
    String only = "";
    Pattern variants = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--messages" -> messages = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--only" -> only = args[i + 1];
        case "--variants" -> variants = Pattern.compile(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Throughput run = new Throughput(messages, rounds, variants);
    if (!only.equals("kafka")) {
      run.nats();
    }
    if (!only.equals("nats")) {
      run.kafka();
    }
    System.exit(0);
  }

  // ------------------------------------------------------------------------------------------ NATS

  private void nats() throws Exception {
    NatsServer server = NatsServer.start();
    OpenTelemetrySdk sampled = Tracing.sdk(Tracing.Sampling.SAMPLED);
    OpenTelemetrySdk unsampled = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
    try (Connection out = connect(server);
        Connection in = connect(server)) {
      System.out.printf(
          Locale.ROOT,
          "NATS: %,d x 1 KiB per round, %d rounds, nats-server %s%n",
          messages,
          rounds,
          server.url());
      for (int round = -1; round < rounds; round++) {
        String prefix = "nats " + (round + 1);
        boolean warmUp = round < 0;
        rotate(
            round,
            warmUp,
            List.of(
                variant("NATS raw + traceparent (floor)", () -> natsRaw(out, in, prefix)),
                variant(
                    "NATS OpenTelemetry sampled", () -> natsOtel(out, in, sampled, prefix + "os")),
                variant(
                    "NATS OpenTelemetry unsampled",
                    () -> natsOtel(out, in, unsampled, prefix + "ou")),
                variant("NATS Baton sampled", () -> natsBaton(out, in, sampled, prefix + "s")),
                variant(
                    "NATS Baton unsampled", () -> natsBaton(out, in, unsampled, prefix + "u"))));
      }
    } finally {
      sampled.close();
      unsampled.close();
      if (server != null) {
        server.close();
      }
    }
    print("NATS raw + traceparent (floor)");
  }

  /**
   * Keeps at most {@link #WINDOW} NATS messages in flight: core NATS has no flow control, and an
   * unbounded backlog in the receiving client measures its garbage collector, not the
   * instrumentation.
   */
  private static void window(int sent, AtomicLong handled) {
    while (sent - handled.get() >= WINDOW) {
      LockSupport.parkNanos(20_000);
    }
  }

  private static Connection connect(NatsServer server) throws Exception {
    return Nats.connect(new Options.Builder().server(server.url()).build());
  }

  private double[] natsRaw(Connection out, Connection in, String name) throws Exception {
    String subject = subject(name);
    AtomicLong handled = new AtomicLong();
    Dispatcher dispatcher =
        in.createDispatcher(
            msg -> {
              if (msg.getHeaders().getLast("traceparent") != null) {
                handled.incrementAndGet();
              }
            });
    dispatcher.setPendingLimits(0, 0);
    dispatcher.subscribe(subject);
    in.flush(Duration.ofSeconds(5));
    try {
      return measure(
          handled,
          () -> {
            for (int i = 0; i < messages; i++) {
              window(i, handled);
              out.publish(subject, new Headers().put("traceparent", TRACEPARENT), payload);
            }
          });
    } finally {
      in.closeDispatcher(dispatcher);
    }
  }

  /**
   * OpenTelemetry's NATS library: both connections wrapped ({@code NatsTelemetry.wrap}), so the
   * publish makes a PRODUCER span and injects its context, and the wrapped dispatcher makes a
   * process span around the handler.
   */
  private double[] natsOtel(Connection out, Connection in, OpenTelemetrySdk sdk, String name)
      throws Exception {
    String subject = subject(name);
    AtomicLong handled = new AtomicLong();
    NatsTelemetry telemetry = NatsTelemetry.create(sdk);
    Connection sender = telemetry.wrap(out);
    Connection receiver = telemetry.wrap(in);
    Dispatcher dispatcher = receiver.createDispatcher(msg -> handled.incrementAndGet());
    dispatcher.setPendingLimits(0, 0);
    dispatcher.subscribe(subject);
    in.flush(Duration.ofSeconds(5));
    try {
      return measure(
          handled,
          () -> {
            for (int i = 0; i < messages; i++) {
              window(i, handled);
              sender.publish(subject, payload);
            }
          });
    } finally {
      receiver.closeDispatcher(dispatcher);
    }
  }

  private double[] natsBaton(Connection out, Connection in, OpenTelemetrySdk sdk, String name)
      throws Exception {
    String subject = subject(name);
    AtomicLong handled = new AtomicLong();
    try (NatsBaton sender = natsBaton(out, sdk, "sender");
        NatsBaton receiver = natsBaton(in, sdk, "receiver")) {
      Subscription subscription =
          receiver.subscriber().subscribe(subject, m -> handled.incrementAndGet());
      subscription.awaitReady(Duration.ofSeconds(5));
      var publisher = sender.publisher();
      return measure(
          handled,
          () -> {
            for (int i = 0; i < messages; i++) {
              window(i, handled);
              publisher.publish(subject, payload);
            }
          });
    }
  }

  private static NatsBaton natsBaton(Connection connection, OpenTelemetrySdk sdk, String agent) {
    return NatsBaton.builder(Baton.builder(sdk).setAgentName(agent).build(), connection)
        .setBacklogInterval(Duration.ZERO)
        .setPendingLimits(0, 0)
        .build();
  }

  private static String subject(String name) {
    return "bench." + name.replaceAll("[^a-zA-Z0-9]", "_");
  }

  // ----------------------------------------------------------------------------------------- Kafka

  private void kafka() throws Exception {
    OpenTelemetrySdk sampled = Tracing.sdk(Tracing.Sampling.SAMPLED);
    OpenTelemetrySdk unsampled = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
    KafkaTelemetry telemetry = KafkaTelemetry.create(sampled);
    KafkaTelemetry telemetryUnsampled = KafkaTelemetry.create(unsampled);
    try (KafkaBroker broker = KafkaBroker.start()) {
      System.out.printf(
          Locale.ROOT,
          "Kafka: %,d x 1 KiB per round, %d rounds, broker %s%n",
          messages,
          rounds,
          broker.bootstrapServers());
      Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers());
      for (int round = -1; round < rounds; round++) {
        // Each sender writes its own topic and the consumer of the same kind reads it, as agents
        // would: an unsampled consumer reads records whose context is unsampled (low sampling in
        // production), a sampled one records a span per record under a sampled sender's.
        String topic = "bench.kafka." + (round + 1);
        boolean warmUp = round < 0;
        for (String kind : KINDS) {
          broker.createTopic(topic + kind, 1);
        }
        rotate(
            round,
            warmUp,
            List.of(
                variant(
                    "Kafka send: raw + traceparent (floor)",
                    () -> {
                      try (Producer<String, byte[]> producer = producer(config)) {
                        return kafkaSend(producer, topic + RAW, true);
                      }
                    }),
                variant(
                    "Kafka send: KafkaTelemetry",
                    () -> {
                      try (Producer<String, byte[]> producer = telemetry.wrap(producer(config))) {
                        return kafkaSend(producer, topic + OTEL, false);
                      }
                    }),
                variant(
                    "Kafka send: KafkaTelemetry unsampled",
                    () -> {
                      try (Producer<String, byte[]> producer =
                          telemetryUnsampled.wrap(producer(config))) {
                        return kafkaSend(producer, topic + OTEL_UNSAMPLED, false);
                      }
                    }),
                variant(
                    "Kafka send: Baton sampled",
                    () -> {
                      try (KafkaBaton baton = kafkaBaton(config, sampled, "sender")) {
                        return kafkaBatonSend(baton, topic + BATON);
                      }
                    }),
                variant(
                    "Kafka send: Baton unsampled",
                    () -> {
                      try (KafkaBaton baton = kafkaBaton(config, unsampled, "sender-u")) {
                        return kafkaBatonSend(baton, topic + BATON_UNSAMPLED);
                      }
                    })));
        // Each consumer reads the N records its own kind of sender wrote.
        int r = round;
        rotate(
            round,
            warmUp,
            List.of(
                variant(
                    "Kafka consume: raw (floor)",
                    () -> kafkaConsume(consumer(config, "raw-" + r), topic + RAW)),
                variant(
                    "Kafka consume: KafkaTelemetry",
                    () ->
                        kafkaConsume(telemetry.wrap(consumer(config, "otel-" + r)), topic + OTEL)),
                variant(
                    "Kafka consume: KafkaTelemetry unsampled",
                    () ->
                        kafkaConsume(
                            telemetryUnsampled.wrap(consumer(config, "otel-u-" + r)),
                            topic + OTEL_UNSAMPLED)),
                variant(
                    "Kafka consume: Baton sampled",
                    () -> kafkaBatonConsume(config, sampled, topic + BATON, r)),
                variant(
                    "Kafka consume: Baton unsampled",
                    () -> kafkaBatonConsume(config, unsampled, topic + BATON_UNSAMPLED, r))));
      }
    } finally {
      sampled.close();
      unsampled.close();
    }
    print("Kafka send: raw + traceparent (floor)");
    print("Kafka consume: raw (floor)");
  }

  private static final String RAW = ".raw";
  private static final String OTEL = ".otel";
  private static final String OTEL_UNSAMPLED = ".otel-u";
  private static final String BATON = ".baton";
  private static final String BATON_UNSAMPLED = ".baton-u";
  private static final List<String> KINDS =
      List.of(RAW, OTEL, OTEL_UNSAMPLED, BATON, BATON_UNSAMPLED);

  private static Producer<String, byte[]> producer(Map<String, Object> config) {
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  private static Consumer<String, byte[]> consumer(Map<String, Object> config, String group) {
    Map<String, Object> settings = new HashMap<>(config);
    settings.put("group.id", group);
    settings.put("auto.offset.reset", "earliest");
    settings.put("enable.auto.commit", "false");
    return new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static KafkaBaton kafkaBaton(
      Map<String, Object> config, OpenTelemetrySdk sdk, String agent) {
    return KafkaBaton.builder(Baton.builder(sdk).setAgentName(agent).build(), config)
        .setBacklogInterval(Duration.ZERO)
        .build();
  }

  private double[] kafkaSend(Producer<String, byte[]> producer, String topic, boolean traceparent)
      throws Exception {
    AtomicLong acked = new AtomicLong();
    byte[] header = TRACEPARENT.getBytes(StandardCharsets.US_ASCII);
    return measure(
        acked,
        () -> {
          for (int i = 0; i < messages; i++) {
            RecordHeaders headers = new RecordHeaders();
            if (traceparent) {
              headers.add("traceparent", header);
            }
            producer.send(
                new ProducerRecord<>(topic, null, (String) null, payload, headers),
                (metadata, error) -> {
                  if (error == null) {
                    acked.incrementAndGet();
                  }
                });
          }
          producer.flush();
        });
  }

  private double[] kafkaBatonSend(KafkaBaton baton, String topic) throws Exception {
    AtomicLong acked = new AtomicLong();
    var publisher = baton.publisher();
    return measure(
        acked,
        () -> {
          for (int i = 0; i < messages; i++) {
            publisher.publish(OutboundMessage.of(topic, payload)).thenRun(acked::incrementAndGet);
          }
        });
  }

  /** Reads N records, committing after every poll as Baton does (at least once). */
  private double[] kafkaConsume(Consumer<String, byte[]> consumer, String topic) throws Exception {
    Handled handled = new Handled();
    consumer.subscribe(List.of(topic));
    try {
      return measureFromFirst(
          handled,
          () -> {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (handled.get() < messages && System.nanoTime() < deadline) {
              var records = consumer.poll(Duration.ofMillis(100));
              for (ConsumerRecord<String, byte[]> record : records) {
                if (handled.get() >= messages) {
                  continue; // iterate to the end: KafkaTelemetry ends each span on the next step
                }
                if (record.value() != null) {
                  handled.one();
                }
              }
              if (!records.isEmpty()) {
                consumer.commitSync();
              }
            }
          });
    } finally {
      consumer.close();
    }
  }

  private double[] kafkaBatonConsume(
      Map<String, Object> config, OpenTelemetrySdk sdk, String topic, int round) throws Exception {
    Handled handled = new Handled();
    try (KafkaBaton baton = kafkaBaton(config, sdk, "receiver")) {
      // close() drains the subscription
      return measureFromFirst(
          handled,
          () ->
              baton
                  .subscriber()
                  .subscribe(
                      topic,
                      "baton-" + System.identityHashCode(sdk) + "-" + round,
                      m -> handled.one()));
    }
  }

  // --------------------------------------------------------------------------------------- measure

  private interface Run {
    double[] run() throws Exception;
  }

  private record Variant(String name, Run run) {}

  private static Variant variant(String name, Run run) {
    return new Variant(name, run);
  }

  /**
   * Runs the variants once each, starting with a different one each round, so that no variant
   * always runs first (after a broker's quiet spell) or last.
   */
  private void rotate(int round, boolean warmUp, List<Variant> all) throws Exception {
    List<Variant> variants =
        all.stream()
            .filter(
                v ->
                    only == null
                        || v.name().contains("(floor)")
                        || only.matcher(v.name().replace("consume: ", "send: ")).find()
                        || only.matcher(v.name().replace("send: ", "consume: ")).find())
            .toList();
    int offset = Math.floorMod(round, variants.size());
    for (int k = 0; k < variants.size(); k++) {
      Variant variant = variants.get((offset + k) % variants.size());
      record(variant.name(), variant.run().run(), warmUp);
    }
  }

  private interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work}, waits until {@code done} reaches N: {messages/s, bytes allocated/msg}. */
  private double[] measure(AtomicLong done, Work work) throws Exception {
    System.gc();
    long allocatedBefore = allocatedBytes();
    long start = System.nanoTime();
    work.run();
    long deadline = start + DEADLINE.toNanos();
    while (done.get() < messages) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + done.get() + " of " + messages + " in time");
      }
      Thread.sleep(1);
    }
    long nanos = System.nanoTime() - start;
    long allocated = allocatedBytes() - allocatedBefore;
    return new double[] {messages * 1e9 / nanos, (double) allocated / messages};
  }

  /**
   * Consuming: from the first record handled to the last (the consumer's start, its group's join
   * and its first fetch are not the per-record cost), bytes allocated from the first on.
   */
  private double[] measureFromFirst(Handled handled, Work work) throws Exception {
    System.gc();
    long start = System.nanoTime();
    work.run();
    long deadline = start + DEADLINE.toNanos();
    while (handled.lastNanos == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + handled.get() + " of " + messages + " in time");
      }
      Thread.sleep(1);
    }
    long allocated = allocatedBytes() - handled.firstAllocated;
    long nanos = Math.max(1, handled.lastNanos - handled.firstNanos);
    return new double[] {(messages - 1) * 1e9 / nanos, (double) allocated / messages};
  }

  /** A count of records handled that notes when the first and the N-th were. */
  private final class Handled extends AtomicLong {
    volatile long firstNanos;
    volatile long firstAllocated;
    volatile long lastNanos;

    void one() {
      long n = incrementAndGet();
      if (n == 1) {
        firstAllocated = allocatedBytes();
        firstNanos = System.nanoTime();
      }
      if (n == messages) {
        lastNanos = System.nanoTime();
      }
    }
  }

  /**
   * Every byte the JVM's threads allocated so far, those that have ended included (a sum over the
   * live threads loses what a thread that ends during a round allocated, and read some variants
   * below their floor).
   */
  private static long allocatedBytes() {
    return ((ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
  }

  /** Prints one round's figures and keeps them, unless the round only warms up the JIT. */
  private void record(String variant, double[] result, boolean warmUp) {
    if (!warmUp) {
      results.computeIfAbsent(variant, k -> new ArrayList<>()).add(result);
    }
    System.out.printf(
        Locale.ROOT,
        "  %-40s %,12.0f msg/s %,10.0f B/msg%s%n",
        variant,
        result[0],
        result[1],
        warmUp ? "  (warm-up, not counted)" : "");
  }

  /** Prints the medians of every variant recorded since {@code floor}, as ratios to it. */
  private void print(String floor) {
    double floorRate = median(results.get(floor), 0);
    System.out.printf(
        Locale.ROOT,
        "%n%-40s %14s %8s %12s%n",
        "median of " + rounds + " rounds",
        "msg/s",
        "ratio",
        "B/msg");
    boolean in = false;
    for (Map.Entry<String, List<double[]>> entry : results.entrySet()) {
      in |= entry.getKey().equals(floor);
      if (!in) {
        continue;
      }
      if (!entry.getKey().equals(floor) && entry.getKey().contains("(floor)")) {
        break;
      }
      double rate = median(entry.getValue(), 0);
      System.out.printf(
          Locale.ROOT,
          "%-40s %,14.0f %8.2f %,12.0f%n",
          entry.getKey(),
          rate,
          rate / floorRate,
          median(entry.getValue(), 1));
    }
    System.out.println();
  }

  private static double median(List<double[]> values, int index) {
    double[] sorted = values.stream().mapToDouble(v -> v[index]).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  static {
    Locale.setDefault(Locale.ROOT);
  }
}
