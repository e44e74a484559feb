/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.transport.Outcome;
import dev.baton.transport.Transport;
import dev.baton.transport.TransportListener;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What each agent cost, for the summary: messages handled, the handlers' CPU time and allocations
 * (from Baton's {@code Processed} events), the simulated LLM's tokens and cost, and the time
 * messages waited before their handler (delivery latency) against the time in it. A listener on
 * every agent's Baton; the housekeeping heartbeats are left out. Thread-safe.
 */
final class AgentCosts implements TransportListener {

  /** At most this many latency samples per agent and kind (the summary's percentiles). */
  private static final int MAX_SAMPLES = 100_000;

  private final Map<String, Costs> byAgent = new ConcurrentHashMap<>();

  private static final class Costs {
    final LongAdder handled = new LongAdder();
    final AtomicLong cpuNanos = new AtomicLong(-1);
    final AtomicLong allocatedBytes = new AtomicLong(-1);
    final LongAdder tokens = new LongAdder();
    final DoubleAdder costUsd = new DoubleAdder();
    final List<Long> waitNanos = Collections.synchronizedList(new ArrayList<>());
    final List<Long> handlerNanos = Collections.synchronizedList(new ArrayList<>());
  }

  private Costs of(String agent) {
    return byAgent.computeIfAbsent(agent, a -> new Costs());
  }

  private static boolean counted(String destination) {
    return !destination.equals(Transport.HEARTBEATS);
  }

  @Override
  public void onReceived(Received e) {
    if (counted(e.destination()) && e.deliveryLatencyNanos() >= 0) {
      sample(of(e.agent()).waitNanos, e.deliveryLatencyNanos());
    }
  }

  @Override
  public void onProcessed(Processed e) {
    if (!counted(e.destination()) || e.outcome() == Outcome.REFUSED) {
      return; // a refused message never reached the handler
    }
    Costs costs = of(e.agent());
    costs.handled.increment();
    sample(costs.handlerNanos, e.durationNanos());
    add(costs.cpuNanos, e.cpuNanos());
    add(costs.allocatedBytes, e.allocatedBytes());
  }

  /** One simulated LLM call of {@code agent}. */
  void llm(String agent, Llm.Usage usage) {
    Costs costs = of(agent);
    costs.tokens.add(usage.inputTokens() + usage.outputTokens());
    costs.costUsd.add(usage.costUsd());
  }

  private static void add(AtomicLong total, long value) {
    if (value >= 0) {
      total.accumulateAndGet(value, (a, b) -> a < 0 ? b : a + b);
    }
  }

  private static void sample(List<Long> samples, long value) {
    if (samples.size() < MAX_SAMPLES) {
      samples.add(value);
    }
  }

  /** The table: one row per agent, in {@code order}, then any other agent seen. */
  void print(PrintStream out, List<String> order) {
    List<String> agents = new ArrayList<>(order);
    byAgent.keySet().stream().filter(a -> !agents.contains(a)).sorted().forEach(agents::add);
    out.printf(
        "  %-12s %8s %9s %10s %8s %9s %17s %17s%n",
        "agent",
        "handled",
        "CPU",
        "allocated",
        "tokens",
        "LLM cost",
        "queue p50/p95",
        "handler p50/p95");
    for (String agent : agents) {
      Costs c = byAgent.get(agent);
      if (c == null) {
        continue;
      }
      out.printf(
          "  %-12s %8d %9s %10s %8d %9s %17s %17s%n",
          agent,
          c.handled.sum(),
          c.cpuNanos.get() < 0 ? "n/a" : String.format("%.2f s", c.cpuNanos.get() / 1e9),
          c.allocatedBytes.get() < 0 ? "n/a" : megabytes(c.allocatedBytes.get()),
          c.tokens.sum(),
          String.format("$%.4f", c.costUsd.sum()),
          percentiles(c.waitNanos),
          percentiles(c.handlerNanos));
    }
  }

  private static String megabytes(long bytes) {
    return String.format("%.1f MB", bytes / 1e6);
  }

  private static String percentiles(List<Long> samples) {
    List<Long> sorted;
    synchronized (samples) {
      sorted = new ArrayList<>(samples);
    }
    if (sorted.isEmpty()) {
      return "-";
    }
    Collections.sort(sorted);
    return millis(sorted, 0.5) + " / " + millis(sorted, 0.95);
  }

  private static String millis(List<Long> sorted, double p) {
    int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1));
    return sorted.get(index) / 1_000_000 + " ms";
  }
}
