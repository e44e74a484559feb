/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One agent's health as its heartbeats tell it.
 *
 * @param agentId the agent's id
 * @param agentName the agent's name
 * @param status HEALTHY while heartbeats arrive, UNHEALTHY after three missed intervals
 * @param state where the agent says it is in its lifecycle ({@link AgentState#wireName()}: {@code
 *     starting}, {@code idle}, {@code processing}, {@code waiting}, {@code error}, {@code
 *     stopping}), or what an older agent sent
 * @param currentTask the task it reports, or {@code null}
 * @param startedAt when the agent started
 * @param lastHeartbeat when its last heartbeat arrived
 * @param resources what it reports about itself (cpu, memory)
 * @param stateSince when the agent entered its current state
 * @param startCount how many times this agent id has started: the larger of what the agent reports
 *     and the restarts this monitor saw
 * @param stateSeconds the seconds it has spent in each state, by {@link AgentState#wireName()},
 *     over every run of this agent id the monitor saw (a restart adds to it, never resets it);
 *     rounded up to the millisecond, so a state the agent was in at all never reads 0
 */
public record AgentHealth(
    String agentId,
    String agentName,
    HealthStatus status,
    String state,
    @Nullable String currentTask,
    Instant startedAt,
    Instant lastHeartbeat,
    Map<String, Object> resources,
    Instant stateSince,
    long startCount,
    Map<String, Double> stateSeconds) {

  /** {@return the state as a lifecycle value, or {@code null} when the agent sent another word} */
  public @Nullable AgentState lifecycleState() {
    return AgentState.parse(state);
  }
}
