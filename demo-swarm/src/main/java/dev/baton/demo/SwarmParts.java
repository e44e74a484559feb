/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.health.AgentGraph;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.transport.TransportListener;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What every agent gets from the swarm.
 *
 * @param config the command line
 * @param metrics the backplane metrics every agent's Baton reports to
 * @param reconnects counts the broker coming back, as the first agent's transport sees it (every
 *     agent's transport reports the same reconnect: one agent's count is the broker's)
 * @param store the task store, or {@code null} in a process whose role keeps nothing in it
 * @param costs what each agent cost, for the summary
 * @param conversations the conversations' totals, stops and loops, for the trees and the summary
 * @param graph who hands work to whom, for {@code /graph} and the summary
 */
record SwarmParts(
    SwarmConfig config,
    BackplaneMetrics metrics,
    Reconnects reconnects,
    @Nullable TaskStore store,
    AgentCosts costs,
    ConversationLog conversations,
    AgentGraph graph) {

  /** Counts {@code RECONNECTED} connection events. */
  static final class Reconnects implements TransportListener {
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean claimed = new AtomicBoolean();

    /** True for the first agent that asks: its transport is the one that reports reconnects. */
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    @Override
    public void onConnection(ConnectionChange e) {
      if (e.event() == ConnectionEvent.RECONNECTED) {
        count.incrementAndGet();
      }
    }

    int count() {
      return count.get();
    }
  }
}
