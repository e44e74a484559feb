/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.spring;

import dev.baton.health.AgentHealth;
import dev.baton.health.AgentState;
import dev.baton.health.HealthStatus;
import dev.baton.health.HeartbeatMonitor;
import dev.baton.health.HeartbeatPublisher;
import dev.baton.health.Heartbeats;
import dev.baton.transport.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.ApplicationListener;

/**
 * The application's agent on the heartbeat bus: it publishes the agent's heartbeats every interval
 * and listens to every agent's ({@link Heartbeats}). The starter makes one over the first transport
 * it configured (NATS, then Kafka) and closes it with the context; define a bean of this type to
 * replace it. Thread-safe.
 */
public final class BatonHeartbeats
    implements AutoCloseable, ApplicationListener<ApplicationReadyEvent> {

  private final String agentId;
  private final Duration interval;
  private final HeartbeatPublisher publisher;
  private final HeartbeatMonitor monitor;
  private volatile boolean closed;

  /**
   * Starts publishing the heartbeats of the agent {@code transport} sends for, and listening to
   * every agent's.
   *
   * @param transport the transport the heartbeats go out and come in on
   * @param interval the time between two heartbeats
   */
  public BatonHeartbeats(Transport transport, Duration interval) {
    this.agentId = transport.agentId();
    this.interval = interval;
    this.monitor = Heartbeats.monitor(transport);
    this.publisher = Heartbeats.publish(transport, interval);
  }

  /**
   * Where the agent is in its lifecycle now, sent with each heartbeat.
   *
   * @param state the agent's state now
   */
  public void setState(AgentState state) {
    publisher.setState(state);
  }

  /**
   * The state and the task the agent works on in one step: no heartbeat reports one without the
   * other. Never put secrets or user data in the task.
   *
   * @param state the agent's state now
   * @param task the task it works on, or {@code null} for none
   */
  public void setState(AgentState state, @Nullable String task) {
    publisher.setState(state, task);
  }

  /**
   * The task the agent works on, or {@code null}. Never put secrets or user data here.
   *
   * @param task the task, or {@code null} for none
   */
  public void setCurrentTask(@Nullable String task) {
    publisher.setCurrentTask(task);
  }

  /** {@return every agent heard on the bus, by its last heartbeat} */
  public HeartbeatMonitor monitor() {
    return monitor;
  }

  /** Liveness: UP while this process publishes its heartbeats (nothing here needs the broker). */
  Health liveness() {
    return (closed ? Health.down() : Health.up())
        .withDetail("agent", agentId)
        .withDetail("interval", interval.toString())
        .build();
  }

  /**
   * Readiness: UP once this agent's own heartbeat came back over the bus within three intervals
   * (the bus carries its traffic), DOWN when it stopped coming back; every agent heard is a detail.
   */
  Health agents() {
    AgentHealth self = monitor.agent(agentId);
    Health.Builder health;
    if (self == null) {
      health = Health.unknown().withDetail("reason", "no heartbeat of " + agentId + " heard yet");
    } else if (self.status() == HealthStatus.HEALTHY) {
      health = Health.up();
    } else {
      health = Health.down().withDetail("reason", "this agent's heartbeats stopped coming back");
    }
    Map<String, Object> agents = new LinkedHashMap<>();
    for (AgentHealth agent : monitor.agents()) {
      agents.put(
          agent.agentId(),
          Map.of(
              "name", agent.agentName(),
              "status", agent.status().name(),
              "state", agent.state(),
              "stateSince", agent.stateSince().toString(),
              "startCount", agent.startCount(),
              "lastHeartbeat", agent.lastHeartbeat().toString()));
    }
    return health.withDetail("agents", agents).build();
  }

  /** The application is ready: the agent goes from {@code starting} to {@code idle}. */
  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if (publisher.state() == AgentState.STARTING) {
      publisher.setState(AgentState.IDLE);
    }
  }

  /** Stops the heartbeats and the listening. */
  @Override
  public void close() {
    closed = true;
    publisher.close();
    monitor.close();
  }
}
