/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import dev.baton.health.AgentHealth;
import dev.baton.health.AgentState;
import dev.baton.health.HealthStatus;
import dev.baton.health.HeartbeatMonitor;
import dev.baton.metrics.internal.BoundMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The agents' lifecycle as meters, from the heartbeats a {@link HeartbeatMonitor} receives:
 *
 * <ul>
 *   <li>{@code baton.agents{state}}: agents whose heartbeats arrive, by lifecycle state, and {@code
 *       state="lost"} for those whose heartbeats stopped (three intervals missed);
 *   <li>{@code baton.agent.state.age{gen_ai.agent.name, state}}: how long the longest-standing
 *       agent of that name has been in that state, NaN when none is in it (the stuck-agent alert);
 *   <li>{@code baton.agent.state.time{gen_ai.agent.name, state}}: seconds the agents of that name
 *       spent in each state, as their heartbeats report it;
 *   <li>{@code baton.agent.starts{gen_ai.agent.name}}: the highest start count among the agents of
 *       that name (the crash-loop alert).
 * </ul>
 *
 * Labels are bounded: agent names (at most 100, later ones are left out) and the six states, never
 * agent ids. Meters for a name appear with its first heartbeat. Thread-safe; {@link #close()}
 * removes what it registered.
 */
public final class AgentMetrics implements MeterBinder, AutoCloseable {

  private static final int MAX_NAMES = 100;
  private static final String NAME = "gen_ai.agent.name";

  private final HeartbeatMonitor monitor;
  private final Clock clock;
  private final BoundMeters bound = new BoundMeters("AgentMetrics");
  private final List<String> names = new CopyOnWriteArrayList<>();

  private AgentMetrics(HeartbeatMonitor monitor, Clock clock) {
    this.monitor = monitor;
    this.clock = clock;
  }

  /**
   * Meters over {@code monitor}'s agents.
   *
   * @param monitor the heartbeat monitor whose agents the meters report
   * @return the meters, to bind to a registry
   */
  public static AgentMetrics create(HeartbeatMonitor monitor) {
    return new AgentMetrics(Objects.requireNonNull(monitor, "monitor"), Clock.systemUTC());
  }

  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    if (!bound.bind(meterRegistry)) {
      return;
    }
    for (AgentState state : AgentState.values()) {
      count(meterRegistry, state.wireName(), a -> live(a) && state == a.lifecycleState());
    }
    count(meterRegistry, "lost", a -> a.status() == HealthStatus.UNHEALTHY);
    monitor.addNameListener(this::nameSeen);
  }

  private void count(MeterRegistry r, String state, Predicate<AgentHealth> in) {
    bound.add(
        Gauge.builder("baton.agents", monitor, m -> m.agents().stream().filter(in).count())
            .description(
                "Agents by lifecycle state, from their heartbeats; lost: heartbeats stopped.")
            .tag("state", state)
            .register(r));
  }

  private static boolean live(AgentHealth a) {
    return a.status() == HealthStatus.HEALTHY;
  }

  private void nameSeen(String name) {
    MeterRegistry r = bound.registry();
    if (r == null || names.contains(name) || names.size() >= MAX_NAMES) {
      return;
    }
    names.add(name);
    for (AgentState state : AgentState.values()) {
      String wire = state.wireName();
      bound.add(
          Gauge.builder("baton.agent.state.age", this, m -> m.oldestIn(name, state))
              .description(
                  "Seconds the longest-standing agent of this name has been in this state (NaN:"
                      + " none is).")
              .baseUnit("seconds")
              .tag(NAME, name)
              .tag("state", wire)
              .register(r));
      bound.add(
          FunctionCounter.builder("baton.agent.state.time", this, m -> m.timeIn(name, wire))
              .description("Seconds the agents of this name spent in this state.")
              .baseUnit("seconds")
              .tag(NAME, name)
              .tag("state", wire)
              .register(r));
    }
    bound.add(
        Gauge.builder("baton.agent.starts", this, m -> m.maxStarts(name))
            .description(
                "The highest start count among the agents of this name: how often the same agent"
                    + " id started, restarts included.")
            .tag(NAME, name)
            .register(r));
  }

  private double oldestIn(String name, AgentState state) {
    double oldest = Double.NaN;
    for (AgentHealth a : monitor.agents()) {
      if (a.agentName().equals(name) && live(a) && a.lifecycleState() == state) {
        double seconds =
            Math.max(0, Duration.between(a.stateSince(), clock.instant()).toMillis()) / 1000.0;
        oldest = Double.isNaN(oldest) ? seconds : Math.max(oldest, seconds);
      }
    }
    return oldest;
  }

  /** The seconds the agents of {@code name} spent in {@code state}, every run of each included. */
  private double timeIn(String name, String state) {
    double total = 0;
    for (AgentHealth a : monitor.agents()) {
      if (a.agentName().equals(name)) {
        total += a.stateSeconds().getOrDefault(state, 0.0);
      }
    }
    return total;
  }

  private double maxStarts(String name) {
    long max = 0;
    for (AgentHealth a : monitor.agents()) {
      if (a.agentName().equals(name)) {
        max = Math.max(max, a.startCount());
      }
    }
    return max == 0 ? Double.NaN : max;
  }

  /** Removes every meter it registered. */
  @Override
  public void close() {
    bound.removeAll();
  }
}
