/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.propagation.Conversation;
import dev.baton.transport.TransportListener;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * What the swarm's conversations came to, for the trees and the summary: each finished task's
 * totals, the messages Baton refused (over budget, a loop) and the loops it saw. A listener on
 * every agent's Baton; the coordinator hears the budget stops of the tasks it follows. Bounded:
 * past {@value #MAX_KEPT} entries of a kind, newer ones are counted but not kept. Thread-safe.
 */
final class ConversationLog implements TransportListener {

  static final int MAX_KEPT = 10_000;

  /** A conversation's totals where it was declared done, as the agent there read them. */
  record Totals(String id, long hops, long agents, long tokens, double cost, double seconds) {

    static Totals of(Conversation c) {
      return new Totals(
          c.id(),
          c.hops(),
          c.agents(),
          c.inputTokens() + c.outputTokens(),
          c.cost(),
          c.elapsed().toMillis() / 1000.0);
    }

    /** {@code 4 hops, 3 agents, 9,812 tokens, $0.0031, 1.2 s}. */
    String describe() {
      return String.format(
          Locale.ROOT,
          "%d hops, %d agents, %,d tokens, $%.4f, %.1f s",
          hops,
          agents,
          tokens,
          cost,
          seconds);
    }
  }

  /** A message Baton refused before its handler ran. */
  record Stop(String conversationId, String agent, String destination, String reason) {}

  /** A loop Baton saw at the hop that closed it. */
  record LoopSeen(
      String conversationId, String agent, String destination, String cycle, boolean stopped) {}

  private final List<Totals> done = new CopyOnWriteArrayList<>();
  private final List<Stop> stops = new CopyOnWriteArrayList<>();
  private final List<LoopSeen> loops = new CopyOnWriteArrayList<>();
  private volatile Consumer<Stop> onStop = stop -> {};

  /** Tells {@code coordinator} of every refusal (it acts on its own tasks' budget stops). */
  void onStop(Consumer<Stop> coordinator) {
    this.onStop = coordinator;
  }

  @Override
  public void onRefused(Refused e) {
    if (e.conversationId() == null) {
      return;
    }
    Stop stop = new Stop(e.conversationId(), e.agent(), e.destination(), e.reason());
    keep(stops, stop);
    onStop.accept(stop);
  }

  @Override
  public void onLoop(Loop e) {
    keep(
        loops,
        new LoopSeen(e.conversationId(), e.agent(), e.destination(), e.cycle(), e.stopped()));
  }

  /** A task's conversation ended here. */
  void done(Totals totals) {
    keep(done, totals);
  }

  private static <T> void keep(List<T> list, T item) {
    if (list.size() < MAX_KEPT) {
      list.add(item);
    }
  }

  List<Stop> stops() {
    return List.copyOf(stops);
  }

  List<LoopSeen> loops() {
    return List.copyOf(loops);
  }

  List<Totals> done() {
    return List.copyOf(done);
  }

  /** The summary's section: per-conversation totals (median and largest), stops, loops. */
  void print(PrintStream out) {
    List<Totals> totals = done();
    out.println("Conversations (each task is one; totals as they travelled with the work)");
    out.printf(
        "  %-22s %d done, %d stopped by Baton%n", "conversations", totals.size(), stops.size());
    if (!totals.isEmpty()) {
      out.printf("  %-22s %s%n", "per conversation", "median / largest");
      row(out, "  hops", totals, Totals::hops, "%.0f");
      row(out, "  agents", totals, Totals::agents, "%.0f");
      row(out, "  tokens", totals, Totals::tokens, "%,.0f");
      row(out, "  cost", totals, Totals::cost, "$%.4f");
      row(out, "  duration", totals, Totals::seconds, "%.1f s");
    }
    for (Stop stop : stops) {
      if (stop.reason().equals("loop")) {
        continue; // the loop's own line says it was stopped
      }
      out.printf(
          "  %-22s %s at %s on %s: %s%n",
          "stopped", stop.conversationId(), stop.agent(), stop.destination(), stop.reason());
    }
    for (LoopSeen loop : loops) {
      out.printf(
          "  %-22s %s in %s at %s on %s%s%n",
          "loop",
          loop.cycle(),
          loop.conversationId(),
          loop.agent(),
          loop.destination(),
          loop.stopped() ? ", stopped" : ", reported");
    }
  }

  private static void row(
      PrintStream out,
      String name,
      List<Totals> totals,
      ToDoubleFunction<Totals> value,
      String format) {
    List<Double> sorted = new ArrayList<>();
    totals.forEach(t -> sorted.add(value.applyAsDouble(t)));
    Collections.sort(sorted);
    double median = sorted.get((sorted.size() - 1) / 2);
    double largest = sorted.get(sorted.size() - 1);
    out.printf(
        "  %-22s %s / %s%n",
        name,
        String.format(Locale.ROOT, format, median),
        String.format(Locale.ROOT, format, largest));
  }
}
