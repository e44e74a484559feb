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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
 * messages per second, its rate over the floor's (the raw client with one {@code traceparent}
 * header) in the same round, as the median of the rounds and their range, the bytes allocated per
 * message by the whole JVM, and for a Baton variant in how many rounds it moved more than
 * OpenTelemetry's of the same sampling.
 *
 * <p>{@code java ... dev.baton.bench.Throughput [--fork] [--messages N] [--rounds R] [--only
 * nats|kafka] [--variants REGEX]} ({@code --fork}: each variant, each round, in a JVM of its own
 * with its own warm-up, as {@code tools/bench/run --fork} runs it; without it every variant shares
 * one JVM, its JIT profiles and its heap, so a variant's rate depends on what ran before it there.
 * {@code --variants}: only the variants whose name matches, beside each floor; for profiling one of
 * them; a Kafka consume variant runs with the send variant of the same kind, whose records it
 * reads)
 *
 * <p>Longer than 400 lines, for a reason: every variant of both brokers is here side by side, so
 * that what the raw client, OpenTelemetry's wrapper and Baton each do per message can be compared
 * in one file; the forks, rounds, medians and report are the rest.
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

  // A child of --fork: the variants it runs (one kind: a Kafka consumer with its sender), the
  // brokers the parent started, and what its subjects and topics begin with.
  private @Nullable Set<String> child;
  private @Nullable String natsUrl;
  private @Nullable String kafkaServers;
  private String prefix = "";

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
    boolean fork = false;
    Set<String> child = null;
    String natsUrl = null;
    String kafkaServers = null;
    String prefix = "";
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--fork")) {
        fork = true;
        i--;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--messages" -> messages = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--only" -> only = args[i + 1];
        case "--variants" -> variants = Pattern.compile(args[i + 1]);
        case "--child" -> child = Set.of(args[i + 1].split("\\|"));
        case "--nats-url" -> natsUrl = args[i + 1];
        case "--kafka" -> kafkaServers = args[i + 1];
        case "--prefix" -> prefix = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (fork) {
      new Throughput(messages, rounds, variants).fork(only, variants);
      System.exit(0);
    }
    // A child measures one round after the warm-up and prints RESULT lines for the parent.
    Throughput run = new Throughput(messages, child == null ? rounds : 1, variants);
    run.child = child;
    run.natsUrl = natsUrl;
    run.kafkaServers = kafkaServers;
    run.prefix = prefix;
    if (child != null) {
      only = child.stream().anyMatch(n -> n.startsWith("NATS")) ? "nats" : "kafka";
    }
    if (!only.equals("kafka")) {
      run.nats();
    }
    if (!only.equals("nats")) {
      run.kafka();
    }
    System.exit(0);
  }

  // ------------------------------------------------------------------------------------------ fork

  private static final List<String> NATS_VARIANTS =
      List.of(
          "NATS raw + traceparent (floor)",
          "NATS OpenTelemetry sampled",
          "NATS OpenTelemetry unsampled",
          "NATS Baton sampled",
          "NATS Baton unsampled");

  /** Each Kafka kind: its sender, and the consumer that reads what that sender wrote. */
  private static final List<List<String>> KAFKA_KINDS =
      List.of(
          List.of("Kafka send: raw + traceparent (floor)", "Kafka consume: raw (floor)"),
          List.of("Kafka send: KafkaTelemetry", "Kafka consume: KafkaTelemetry"),
          List.of(
              "Kafka send: KafkaTelemetry unsampled", "Kafka consume: KafkaTelemetry unsampled"),
          List.of("Kafka send: Baton sampled", "Kafka consume: Baton sampled"),
          List.of("Kafka send: Baton unsampled", "Kafka consume: Baton unsampled"));

  /**
   * {@code --fork}: each variant (on Kafka each kind, sender and consumer) runs in a JVM of its
   * own, one per round, its own warm-up first, against brokers this process starts once; the
   * variants take turns in rotating order as in one JVM. In one JVM the variants share the JIT's
   * profiles (jnats' and the Kafka client's call sites see every variant's types) and the heap: a
   * variant's rate then depends on which ran before it.
   */
  private void fork(String only, @Nullable Pattern variants) throws Exception {
    List<List<String>> children = new ArrayList<>();
    List<String> order = new ArrayList<>();
    if (!only.equals("kafka")) {
      for (String name : NATS_VARIANTS) {
        if (selected(name, variants)) {
          children.add(List.of(name));
          order.add(name);
        }
      }
    }
    if (!only.equals("nats")) {
      List<String> consumers = new ArrayList<>();
      for (List<String> kind : KAFKA_KINDS) {
        if (selected(kind.get(0), variants) || selected(kind.get(1), variants)) {
          children.add(kind);
          order.add(kind.get(0));
          consumers.add(kind.get(1));
        }
      }
      order.addAll(consumers);
    }
    for (String name : order) {
      results.put(name, new ArrayList<>()); // printed in this order, whatever ran first
    }
    NatsServer server = only.equals("kafka") ? null : NatsServer.start();
    KafkaBroker broker = only.equals("nats") ? null : KafkaBroker.start();
    try {
      System.out.printf(
          Locale.ROOT,
          "%,d x 1 KiB per round, %d rounds, each variant in a JVM of its own per round%s%s%n",
          messages,
          rounds,
          server == null ? "" : ", nats-server " + server.url(),
          broker == null ? "" : ", Kafka broker " + broker.bootstrapServers());
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < children.size(); k++) {
          List<String> names = children.get((round + k) % children.size());
          Map<String, double[]> measured =
              runChild(names, server, broker, "f" + round + "k" + k + "-");
          for (String name : names) {
            record(name, measured.get(name), false);
          }
        }
      }
    } finally {
      if (server != null) {
        server.close();
      }
      if (broker != null) {
        broker.close();
      }
    }
    if (!only.equals("kafka")) {
      print("NATS raw + traceparent (floor)");
    }
    if (!only.equals("nats")) {
      print("Kafka send: raw + traceparent (floor)");
      print("Kafka consume: raw (floor)");
    }
  }

  private static boolean selected(String name, @Nullable Pattern variants) {
    return variants == null || name.contains("(floor)") || variants.matcher(name).find();
  }

  /** Runs one child JVM for {@code names}: what it measured, by variant. */
  private Map<String, double[]> runChild(
      List<String> names,
      @Nullable NatsServer server,
      @Nullable KafkaBroker broker,
      String childPrefix)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx2g",
                "-cp",
                System.getProperty("java.class.path"),
                Throughput.class.getName(),
                "--child",
                String.join("|", names),
                "--messages",
                Integer.toString(messages),
                "--prefix",
                childPrefix));
    if (server != null) {
      command.addAll(List.of("--nats-url", server.url()));
    }
    if (broker != null) {
      command.addAll(List.of("--kafka", broker.bootstrapServers()));
    }
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, double[]> measured = new HashMap<>();
    try (var lines = process.inputReader(StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        String[] fields = line.split("\t");
        if (fields.length == 4 && fields[0].equals("RESULT")) {
          measured.put(
              fields[1],
              new double[] {Double.parseDouble(fields[2]), Double.parseDouble(fields[3])});
        }
      }
    }
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("the child for " + names + " ran past 10 minutes");
    }
    if (process.exitValue() != 0 || !measured.keySet().containsAll(names)) {
      throw new IllegalStateException(
          "the child for "
              + names
              + " exited "
              + process.exitValue()
              + " with "
              + measured.keySet());
    }
    return measured;
  }

  // ------------------------------------------------------------------------------------------ NATS

  private void nats() throws Exception {
    NatsServer server = natsUrl == null ? NatsServer.start() : null;
    String url = server == null ? natsUrl : server.url();
    OpenTelemetrySdk sampled = Tracing.sdk(Tracing.Sampling.SAMPLED);
    OpenTelemetrySdk unsampled = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
    try (Connection out = connect(url);
        Connection in = connect(url)) {
      if (child == null) {
        System.out.printf(
            Locale.ROOT,
            "NATS: %,d x 1 KiB per round, %d rounds, nats-server %s%n",
            messages,
            rounds,
            url);
      }
      for (int round = -1; round < rounds; round++) {
        String prefix = "nats " + this.prefix + (round + 1);
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
    if (child == null) {
      print("NATS raw + traceparent (floor)");
    }
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

  private static Connection connect(String url) throws Exception {
    return Nats.connect(new Options.Builder().server(url).build());
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
    try (KafkaBroker broker = kafkaServers == null ? KafkaBroker.start() : null) {
      String servers = broker == null ? kafkaServers : broker.bootstrapServers();
      if (child == null) {
        System.out.printf(
            Locale.ROOT,
            "Kafka: %,d x 1 KiB per round, %d rounds, broker %s%n",
            messages,
            rounds,
            servers);
      }
      Map<String, Object> config = Map.of("bootstrap.servers", servers);
      for (int round = -1; round < rounds; round++) {
        // Each sender writes its own topic and the consumer of the same kind reads it, as agents
        // would: an unsampled consumer reads records whose context is unsampled (low sampling in
        // production), a sampled one records a span per record under a sampled sender's.
        String topic = "bench.kafka." + prefix + (round + 1);
        boolean warmUp = round < 0;
        createTopics(config, KINDS.stream().map(kind -> topic + kind).toList());
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
        if (child != null && child.stream().noneMatch(n -> n.contains("consume"))) {
          continue;
        }
        // Each consumer reads the N records its own kind of sender wrote.
        String r = prefix + round;
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
    if (child == null) {
      print("Kafka send: raw + traceparent (floor)");
      print("Kafka consume: raw (floor)");
    }
  }

  private static final String RAW = ".raw";
  private static final String OTEL = ".otel";
  private static final String OTEL_UNSAMPLED = ".otel-u";
  private static final String BATON = ".baton";
  private static final String BATON_UNSAMPLED = ".baton-u";
  private static final List<String> KINDS =
      List.of(RAW, OTEL, OTEL_UNSAMPLED, BATON, BATON_UNSAMPLED);

  /** Creates {@code topics} (one partition each) and waits until each has a leader. */
  private static void createTopics(Map<String, Object> config, List<String> topics)
      throws Exception {
    try (Admin admin = Admin.create(config)) {
      admin
          .createTopics(topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
          .all()
          .get(30, TimeUnit.SECONDS);
      KafkaBroker.awaitLeaders(admin, topics, Duration.ofSeconds(30));
    }
  }

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
      Map<String, Object> config, OpenTelemetrySdk sdk, String topic, String round)
      throws Exception {
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
                    child != null
                        ? child.contains(v.name())
                        : only == null
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
      if (child != null) {
        System.out.println("RESULT\t" + variant + "\t" + result[0] + "\t" + result[1]);
        return;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "  %-40s %,12.0f msg/s %,10.0f B/msg%s%n",
        variant,
        result[0],
        result[1],
        warmUp ? "  (warm-up, not counted)" : "");
  }

  /**
   * Prints every variant recorded since {@code floor}: its median rate, and its rate over the
   * floor's <em>in the same round</em> (the floor and the variants of a round run back to back, so
   * the machine's state drifts less within a round than between rounds): the median of those
   * per-round ratios and their range, lowest to highest. A Baton variant is also set against the
   * OpenTelemetry variant of the same sampling, round by round: in how many rounds it moved more.
   */
  private void print(String floor) {
    List<double[]> floorRounds = results.get(floor);
    System.out.printf(
        Locale.ROOT,
        "%n%-40s %12s %8s %13s %10s  %s%n",
        "medians of " + rounds + " rounds",
        "msg/s",
        "x floor",
        "range",
        "B/msg",
        "against OpenTelemetry's, round by round");
    boolean in = false;
    for (Map.Entry<String, List<double[]>> entry : results.entrySet()) {
      in |= entry.getKey().equals(floor);
      if (!in) {
        continue;
      }
      if (!entry.getKey().equals(floor) && entry.getKey().contains("(floor)")) {
        break;
      }
      double[] ratios = ratios(entry.getValue(), floorRounds);
      String peer = peer(entry.getKey());
      String against = "";
      if (peer != null && results.containsKey(peer)) {
        double[] theirs = ratios(results.get(peer), floorRounds);
        int ahead = 0;
        for (int i = 0; i < ratios.length; i++) {
          ahead += ratios[i] > theirs[i] ? 1 : 0;
        }
        against = String.format(Locale.ROOT, "ahead in %d of %d", ahead, ratios.length);
      }
      System.out.printf(
          Locale.ROOT,
          "%-40s %,12.0f %8.2f %13s %,10.0f  %s%n",
          entry.getKey(),
          median(entry.getValue(), 0),
          median(ratios),
          String.format(Locale.ROOT, "%.2f-%.2f", min(ratios), max(ratios)),
          median(entry.getValue(), 1),
          against);
    }
    System.out.println();
  }

  /** The OpenTelemetry variant a Baton variant is set against, or null. */
  private static @Nullable String peer(String variant) {
    if (!variant.contains("Baton")) {
      return null;
    }
    boolean unsampled = variant.endsWith("unsampled");
    if (variant.startsWith("NATS")) {
      return unsampled ? "NATS OpenTelemetry unsampled" : "NATS OpenTelemetry sampled";
    }
    String kind = variant.substring(0, variant.indexOf(':') + 1);
    return kind + " KafkaTelemetry" + (unsampled ? " unsampled" : "");
  }

  /** Each round's rate over the floor's in the same round. */
  private static double[] ratios(List<double[]> variant, List<double[]> floor) {
    double[] ratios = new double[Math.min(variant.size(), floor.size())];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = variant.get(i)[0] / floor.get(i)[0];
    }
    return ratios;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  private static double median(List<double[]> values, int index) {
    double[] sorted = values.stream().mapToDouble(v -> v[index]).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  static {
    Locale.setDefault(Locale.ROOT);
  }
}
