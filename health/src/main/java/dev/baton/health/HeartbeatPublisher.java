/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import dev.baton.health.internal.ResourceUsage;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Publisher;
import dev.baton.transport.Transport;
import dev.baton.transport.internal.Redaction;
import dev.baton.transport.internal.SharedSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one agent's heartbeats: its lifecycle state ({@link AgentState}, {@code starting} until
 * the agent says otherwise) with the time it entered it, the time spent in each state so far, its
 * current task, its start count and its resources. Thread-safe; beats on the threads every agent's
 * heartbeats share ({@code SharedSchedule}): close it (which reports {@code stopping} in one last
 * heartbeat).
 */
public final class HeartbeatPublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPublisher.class);

  private final Publisher publisher;
  private final String agentId;
  private final String agentName;
  private final Duration interval;
  private final long startCount;
  private final Instant startedAt = Instant.now();
  private final Object stateLock = new Object();
  private AgentState state = AgentState.STARTING;
  private long stateSinceMillis = startedAt.toEpochMilli();
  // Time in each state, summed in nanoseconds: a failed message redelivered at once leaves its
  // agent in error for well under a millisecond, and whole milliseconds would count that as 0.
  private long stateSinceNanos = System.nanoTime();
  private final long[] nanosIn = new long[AgentState.values().length];
  private long lastEagerBeatMillis;
  private @Nullable String currentTask;
  private final SharedSchedule schedule;

  HeartbeatPublisher(
      Publisher publisher, String agentId, String agentName, Duration interval, long startCount) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.agentId = Objects.requireNonNull(agentId, "agentId");
    this.agentName = Objects.requireNonNull(agentName, "agentName");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    this.interval = interval;
    this.startCount = startCount;
    // On the threads every agent's heartbeats share: a hundred agents, the same two threads.
    this.schedule = SharedSchedule.atFixedRate("baton-heartbeat", interval, this::beat);
  }

  /**
   * Where the agent is in its lifecycle now. Cheap (a lock and two clock reads), so it may be
   * called around every message; the next heartbeat reports it with the time it was entered.
   * Entering {@link AgentState#ERROR} sends a heartbeat at once (at most one such per interval), so
   * a failure shows even when the agent moves on before the next one.
   *
   * @param next the agent's state now
   */
  public void setState(AgentState next) {
    Objects.requireNonNull(next, "next");
    boolean beatNow;
    synchronized (stateLock) {
      beatNow = enter(next);
    }
    if (beatNow) {
      beat(); // on this thread, so it says error even if the next message comes at once
    }
  }

  /**
   * {@link #setState(AgentState)} and {@link #setCurrentTask(String)} in one step: no heartbeat
   * reports the new state with the previous task, or the new task with the previous state.
   *
   * @param next the agent's state now
   * @param task the task it works on, or {@code null} for none
   */
  public void setState(AgentState next, @Nullable String task) {
    Objects.requireNonNull(next, "next");
    boolean beatNow;
    synchronized (stateLock) {
      currentTask = task;
      beatNow = enter(next);
    }
    if (beatNow) {
      beat();
    }
  }

  /** Enters {@code next} under {@link #stateLock}; true when a heartbeat should go out now. */
  private boolean enter(AgentState next) {
    if (next == state) {
      return false;
    }
    long now = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    nanosIn[state.ordinal()] += nowNanos - stateSinceNanos;
    state = next;
    stateSinceMillis = now;
    stateSinceNanos = nowNanos;
    if (next == AgentState.ERROR && now - lastEagerBeatMillis >= interval.toMillis()) {
      lastEagerBeatMillis = now;
      return true;
    }
    return false;
  }

  /** {@return the state last set} */
  public AgentState state() {
    synchronized (stateLock) {
      return state;
    }
  }

  /**
   * The task the agent works on, or {@code null}. Never put secrets or user data here.
   *
   * @param task the task, or {@code null} for none
   */
  public void setCurrentTask(@Nullable String task) {
    synchronized (stateLock) {
      currentTask = task;
    }
  }

  private void beat() {
    try {
      Map<String, Object> beat = new LinkedHashMap<>();
      beat.put("agent_id", agentId);
      beat.put("agent_name", agentName);
      Map<String, Object> seconds = new LinkedHashMap<>();
      @Nullable String task;
      synchronized (stateLock) {
        long nowNanos = System.nanoTime();
        task = currentTask;
        beat.put("state", state.wireName());
        beat.put("state_since", Instant.ofEpochMilli(stateSinceMillis).toString());
        for (AgentState s : AgentState.values()) {
          long nanos = nanosIn[s.ordinal()] + (s == state ? nowNanos - stateSinceNanos : 0);
          // Rounded up to the millisecond: a state the agent was in at all never reads 0.
          seconds.put(s.wireName(), ((nanos + 999_999) / 1_000_000) / 1000.0);
        }
      }
      beat.put("state_seconds", seconds);
      beat.put("start_count", startCount);
      beat.put("current_task", task);
      beat.put("started_at", startedAt.toString());
      beat.put("timestamp", Instant.now().toString());
      beat.put("interval_ms", interval.toMillis());
      Map<String, Object> resources = new LinkedHashMap<>();
      resources.put("cpu_usage_percent", ResourceUsage.cpuUsagePercent());
      resources.put("memory_usage_mb", ResourceUsage.memoryUsageMb());
      beat.put("resources", resources);
      publisher.publish(
          OutboundMessage.of(Transport.HEARTBEATS, Heartbeats.JSON.writeValueAsBytes(beat)));
    } catch (Exception e) {
      LOG.debug("heartbeat of {} not sent: {}", agentName, Redaction.describe(e));
    }
  }

  /**
   * Reports {@code stopping} in one last heartbeat and stops: the monitor sees the agent turn
   * UNHEALTHY after three intervals.
   */
  @Override
  public void close() {
    setState(AgentState.STOPPING);
    schedule.close();
    beat();
  }
}
