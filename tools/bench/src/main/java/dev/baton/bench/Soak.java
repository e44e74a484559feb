/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.NatsServer;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Publisher;
import dev.baton.transport.kafka.FailurePolicy;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.nats.NatsBaton;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The soak: mixed traffic on both brokers for a while (core NATS, request/reply, JetStream with
 * redeliveries, Kafka with dead-lettering), traced and measured as an agent would be, then checks
 * that nothing was lost or counted twice (sent = handled + dead-lettered on every path), that the
 * heap after a full GC stayed within 10 % of its level after the warm-up, and that the process
 * holds no more threads or file descriptors than then (give or take {@value #SLACK} open at the
 * moment of counting), and that Baton counted no failure of its own ({@code
 * baton.telemetry.failures} is 0). Exits 1 when a check fails.
 *
 * <p>{@code bench/soak [seconds]} (default 600); the scenario suite runs 60 ({@code SoakTest}).
 * Loopback only, bounded rate.
 */
public final class Soak {

  private static final int RATE_PER_SECOND = 400; // per path
  private static final int NATS_FAILS_EVERY = 97; // first delivery fails: redelivered
  private static final int KAFKA_FAILS_EVERY = 101; // always fails: dead-lettered
  // A leak grows with the traffic (tens of thousands of messages here); a few threads or
  // descriptors open at the moment of counting are not one (seen in CI: +1 and +4 descriptors,
  // not seen in four standalone runs; the report lists the ones that are new).
  private static final int SLACK = 16;

  private final AtomicLong coreSent = new AtomicLong();
  private final AtomicLong coreHandled = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong replies = new AtomicLong();
  private final AtomicLong jsSent = new AtomicLong();
  private final AtomicLong jsHandled = new AtomicLong();
  private final AtomicLong kafkaSent = new AtomicLong();
  private final AtomicLong kafkaHandled = new AtomicLong();
  private final AtomicLong kafkaDeadLettered = new AtomicLong();

  private Soak() {}

  public static void main(String[] args) throws Exception {
    Duration duration = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 600);
    System.exit(soak(duration) ? 0 : 1);
  }

  /** Runs the soak for {@code duration} after its warm-up, prints the report; true when it held. */
  public static boolean soak(Duration duration) throws Exception {
    return new Soak().run(duration);
  }

  private boolean run(Duration duration) throws Exception {
    OpenTelemetrySdk sdk = Tracing.sdk(Tracing.Sampling.SAMPLED);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    try (NatsServer server = NatsServer.start();
        KafkaBroker broker = KafkaBroker.start();
        Connection connection = Nats.connect(server.url())) {
      connection
          .jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("SOAK")
                  .subjects("soak.js")
                  .storageType(StorageType.Memory)
                  .build());
      broker.createTopic("soak.kafka", 1);
      broker.createTopic("soak.dlq", 1);
      Baton baton = Baton.builder(sdk).setAgentName("soak").addListener(metrics).build();
      try (NatsBaton nats = NatsBaton.builder(baton, connection).build();
          KafkaBaton kafka =
              KafkaBaton.builder(baton, Map.of("bootstrap.servers", broker.bootstrapServers()))
                  .setFailurePolicy(
                      FailurePolicy.retry(1, Duration.ofMillis(10), Duration.ofMillis(10))
                          .thenDeadLetter("soak.dlq"))
                  .build()) {
        subscribe(nats, kafka);
        Duration warmUp =
            duration.dividedBy(10).compareTo(Duration.ofSeconds(10)) < 0
                ? Duration.ofSeconds(10)
                : duration.dividedBy(10);
        traffic(nats, kafka, warmUp);
        drain();
        Figures before = Figures.now();
        traffic(nats, kafka, duration);
        boolean drained = drain();
        Figures after = Figures.now();
        return report(duration, drained, before, after, registry);
      }
    } finally {
      sdk.close();
    }
  }

  private void subscribe(NatsBaton nats, KafkaBaton kafka) throws Exception {
    nats.subscriber().subscribe("soak.core", m -> coreHandled.incrementAndGet());
    nats.subscriber().respond("soak.rpc", null, Message::payload);
    nats.jetStreamSubscriber("SOAK")
        .subscribe(
            "soak.js",
            "workers",
            m -> {
              if (Long.parseLong(m.payloadAsString()) % NATS_FAILS_EVERY == 0
                  && m.deliveryCount() == 1) {
                throw new IllegalStateException("fails once: redelivered");
              }
              jsHandled.incrementAndGet();
            });
    kafka
        .subscriber()
        .subscribe(
            "soak.kafka",
            "workers",
            m -> {
              if (Long.parseLong(m.payloadAsString()) % KAFKA_FAILS_EVERY == 0) {
                throw new IllegalStateException("always fails: dead-lettered");
              }
              kafkaHandled.incrementAndGet();
            });
    kafka.subscriber().subscribe("soak.dlq", "auditors", m -> kafkaDeadLettered.incrementAndGet());
    Thread.sleep(3000); // the Kafka groups' first assignment
  }

  /** Publishes on every path at the bounded rate for {@code duration}. */
  private void traffic(NatsBaton nats, KafkaBaton kafka, Duration duration) throws Exception {
    Publisher core = nats.publisher();
    Publisher js = nats.jetStreamPublisher();
    Publisher kafkaOut = kafka.publisher();
    long end = System.nanoTime() + duration.toNanos();
    long tickNanos = 1_000_000_000L / RATE_PER_SECOND;
    long next = System.nanoTime();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    long i = 0;
    while (System.nanoTime() < end) {
      i++;
      String n = Long.toString(i);
      core.publish("soak.core", n.getBytes(StandardCharsets.UTF_8));
      coreSent.incrementAndGet();
      pending.add(js.publish(OutboundMessage.of("soak.js", n)));
      jsSent.incrementAndGet();
      pending.add(kafkaOut.publish(OutboundMessage.of("soak.kafka", n)));
      kafkaSent.incrementAndGet();
      if (i % 10 == 0) {
        pending.add(
            core.request("soak.rpc", n.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))
                .thenRun(replies::incrementAndGet));
        requests.incrementAndGet();
      }
      if (pending.size() >= 1000) {
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .get(60, TimeUnit.SECONDS);
        pending.clear();
      }
      next += tickNanos;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        TimeUnit.NANOSECONDS.sleep(sleep);
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }

  /** Waits until every path has handled what it was sent; false after 120 s. */
  private boolean drain() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (coreHandled.get() == coreSent.get()
          && replies.get() == requests.get()
          && jsHandled.get() == jsSent.get()
          && kafkaHandled.get() + kafkaDeadLettered.get() == kafkaSent.get()) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private boolean report(
      Duration duration,
      boolean drained,
      Figures before,
      Figures after,
      PrometheusMeterRegistry registry) {
    boolean ok = drained;
    System.out.printf(
        Locale.ROOT,
        "soak %d s after a warm-up:%n"
            + "  core NATS   sent %,d handled %,d%n"
            + "  request     sent %,d replied %,d%n"
            + "  JetStream   sent %,d handled %,d (every %dth failed once, redelivered)%n"
            + "  Kafka       sent %,d handled %,d dead-lettered %,d (every %dth)%n",
        duration.toSeconds(),
        coreSent.get(),
        coreHandled.get(),
        requests.get(),
        replies.get(),
        jsSent.get(),
        jsHandled.get(),
        NATS_FAILS_EVERY,
        kafkaSent.get(),
        kafkaHandled.get(),
        kafkaDeadLettered.get(),
        KAFKA_FAILS_EVERY);
    double heapGrowth = (after.heapBytes - before.heapBytes) / (double) before.heapBytes;
    System.out.printf(
        Locale.ROOT,
        "  heap after GC %,d -> %,d bytes (%+.1f %%), threads %d -> %d, file descriptors %d -> %d%n",
        before.heapBytes,
        after.heapBytes,
        heapGrowth * 100,
        before.threads,
        after.threads,
        before.fds,
        after.fds);
    double telemetryFailures =
        registry.find("baton.telemetry.failures").counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    System.out.printf(Locale.ROOT, "  telemetry failures %,.0f%n", telemetryFailures);
    if (telemetryFailures > 0) {
      registry.find("baton.telemetry.failures").counters().stream()
          .filter(c -> c.count() > 0)
          .forEach(c -> System.out.println("    " + c.getId() + ": " + c.count()));
      System.out.println("FAIL: Baton counted failures of its own");
      ok = false;
    }
    if (!drained) {
      System.out.println("FAIL: counts do not add up (sent != handled + dead-lettered)");
    }
    if (heapGrowth > 0.10) {
      System.out.println("FAIL: the heap after GC grew by more than 10 %");
      ok = false;
    }
    if (after.threads > before.threads + SLACK) {
      System.out.println("FAIL: threads grew since the warm-up");
      ok = false;
    }
    List<String> added = new ArrayList<>(after.fdTargets);
    before.fdTargets.forEach(added::remove);
    if (!added.isEmpty()) {
      System.out.println("  descriptors open now and not after the warm-up: " + added);
    }
    if (after.fds > before.fds + SLACK) {
      System.out.println("FAIL: file descriptors grew since the warm-up");
      ok = false;
    }
    System.out.println(ok ? "soak: OK" : "soak: FAILED");
    return ok;
  }

  /** The process's footprint after a full GC. */
  private record Figures(long heapBytes, int threads, long fds, List<String> fdTargets) {
    static Figures now() throws InterruptedException, IOException {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(200);
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      int threads = ManagementFactory.getThreadMXBean().getThreadCount();
      List<String> targets = new ArrayList<>();
      try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
        list.forEach(
            fd -> {
              try {
                targets.add(Files.readSymbolicLink(fd).toString());
              } catch (IOException e) {
                // closed meanwhile
              }
            });
      }
      return new Figures(heap, threads, targets.size(), targets);
    }
  }
}
