/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.NatsServer;
import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.nats.NatsBaton;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Many agents in one process, as a user hosting them would run them: one {@code Baton} per agent
 * and one subscription each (its own subject or topic; on NATS all on one connection, on Kafka from
 * the same settings), with the default backlog probe. Prints the threads and the heap (after a full
 * GC) the agents add for 1, 10 and 100 agents, and per agent.
 *
 * <p>{@code java ... dev.baton.bench.Agents [--only nats|kafka]}
 */
public final class Agents {

  private static final int[] COUNTS = {1, 10, 100};
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private Agents() {}

  public static void main(String[] args) throws Exception {
    String only = args.length >= 2 && args[0].equals("--only") ? args[1] : "";
    try (OpenTelemetrySdk sdk = Tracing.sdk(Tracing.Sampling.SAMPLED)) {
      System.out.printf(
          Locale.ROOT,
          "%-8s %7s %10s %14s %12s %16s%n",
          "broker",
          "agents",
          "+threads",
          "+threads/agent",
          "+heap MiB",
          "+heap KiB/agent");
      if (!only.equals("kafka")) {
        try (NatsServer server = NatsServer.start();
            Connection connection =
                Nats.connect(new Options.Builder().server(server.url()).build())) {
          measure(
              "nats",
              i ->
                  NatsBaton.create(
                      Baton.builder(sdk).setAgentName("agent-" + i).build(), connection));
        }
      }
      if (!only.equals("nats")) {
        try (KafkaBroker broker = KafkaBroker.start()) {
          Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers());
          measure(
              "kafka",
              i ->
                  KafkaBaton.create(Baton.builder(sdk).setAgentName("agent-" + i).build(), config));
        }
      }
    }
    System.exit(0);
  }

  private static void measure(String broker, IntFunction<Transport> agent) throws Exception {
    for (int count : COUNTS) {
      settle();
      int threadsBefore = Thread.activeCount();
      long heapBefore = heapAfterGc();
      List<Transport> agents = new ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          Transport transport = agent.apply(i);
          agents.add(transport);
          transport.subscriber().subscribe("agents." + broker + "." + i, m -> {});
        }
        settle();
        int threads = Thread.activeCount() - threadsBefore;
        long heap = heapAfterGc() - heapBefore;
        System.out.printf(
            Locale.ROOT,
            "%-8s %7d %10d %14.2f %12.1f %16.1f%n",
            broker,
            count,
            threads,
            threads / (double) count,
            heap / 1048576.0,
            heap / 1024.0 / count);
      } finally {
        for (Transport transport : agents) {
          transport.close();
        }
      }
    }
  }

  /** Lets threads that are starting or ending get there (a subscription's consumer joins). */
  private static void settle() throws InterruptedException {
    int last = -1;
    for (int i = 0; i < 50; i++) {
      int now = Thread.activeCount();
      if (now == last) {
        return;
      }
      last = now;
      Thread.sleep(200);
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return MEMORY.getHeapMemoryUsage().getUsed();
  }
}
