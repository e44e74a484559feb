/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.transport.Message;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.Transport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last heartbeat of every agent heard on {@link Transport#HEARTBEATS}, and calls an agent
 * UNHEALTHY once three of its intervals pass without one. From {@link Heartbeats#monitor}.
 * Thread-safe; close it to unsubscribe.
 */
public final class HeartbeatMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatMonitor.class);

  private final Subscription subscription;
  private final Clock clock;
  private final Map<String, Beat> beats = new ConcurrentHashMap<>();
  private final Map<String, Boolean> names = new ConcurrentHashMap<>();
  private final List<Consumer<String>> nameListeners = new CopyOnWriteArrayList<>();

  /**
   * The last heartbeat of one agent id, the starts seen (the first heartbeat is one start, each new
   * {@code started_at} another) and the seconds per state its earlier runs reported.
   */
  private record Beat(
      JsonNode json,
      Instant receivedAt,
      long intervalMillis,
      String startedAt,
      long starts,
      Map<String, Double> earlierRuns) {}

  HeartbeatMonitor(Subscriber subscriber, Clock clock) {
    this.clock = clock;
    this.subscription = subscriber.subscribe(Transport.HEARTBEATS, this::onBeat);
  }

  /** {@return the subscription the heartbeats arrive on (to wait for it to be ready)} */
  public Subscription subscription() {
    return subscription;
  }

  private void onBeat(Message message) {
    try {
      JsonNode json = Heartbeats.JSON.readTree(message.payload());
      String id = json.path("agent_id").asText("");
      if (id.isEmpty() || id.length() > 256) {
        return;
      }
      long interval = Math.max(1, json.path("interval_ms").asLong(5000));
      String startedAt = json.path("started_at").asText("");
      Instant now = clock.instant();
      beats.compute(
          id,
          (k, before) -> {
            if (before == null) {
              return new Beat(json, now, interval, startedAt, 1, Map.of());
            }
            if (before.startedAt.equals(startedAt)) {
              return new Beat(json, now, interval, startedAt, before.starts, before.earlierRuns);
            }
            // A restart: what the previous run reported is kept, the new run counts from 0.
            return new Beat(
                json, now, interval, startedAt, before.starts + 1, stateSeconds(before));
          });
      String name = json.path("agent_name").asText(id);
      if (name.length() <= 128 && names.putIfAbsent(name, Boolean.TRUE) == null) {
        nameListeners.forEach(l -> l.accept(name));
      }
    } catch (Exception e) {
      LOG.debug("ignored a malformed heartbeat: {}", e.getClass().getName());
    }
  }

  /**
   * {@return the agent's health, or {@code null} when it never sent a heartbeat}
   *
   * @param agentId the agent's id
   */
  public @Nullable AgentHealth agent(String agentId) {
    Beat beat = beats.get(agentId);
    return beat == null ? null : toHealth(agentId, beat);
  }

  /** {@return every agent seen} */
  public List<AgentHealth> agents() {
    List<AgentHealth> agents = new ArrayList<>();
    beats.forEach((id, beat) -> agents.add(toHealth(id, beat)));
    return agents;
  }

  /**
   * Calls {@code listener} with each agent name the first time a heartbeat of it arrives, and at
   * once with every name already seen (for meters per agent name).
   *
   * @param listener called with each agent name
   */
  public void addNameListener(Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener");
    nameListeners.add(listener);
    names.keySet().forEach(listener);
  }

  /** {@return how many agents are HEALTHY} */
  public int activeAgents() {
    return (int) agents().stream().filter(a -> a.status() == HealthStatus.HEALTHY).count();
  }

  private AgentHealth toHealth(String id, Beat beat) {
    Instant now = clock.instant();
    boolean missed = Duration.between(beat.receivedAt, now).toMillis() > 3 * beat.intervalMillis;
    Map<String, Object> resources = new LinkedHashMap<>();
    beat.json
        .path("resources")
        .fields()
        .forEachRemaining(
            e ->
                resources.put(
                    e.getKey(),
                    e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
    Instant started;
    try {
      started = Instant.parse(beat.json.path("started_at").asText());
    } catch (RuntimeException e) {
      started = beat.receivedAt;
    }
    JsonNode task = beat.json.path("current_task");
    Instant stateSince;
    try {
      stateSince = Instant.parse(beat.json.path("state_since").asText());
    } catch (RuntimeException e) {
      stateSince = beat.receivedAt;
    }
    Map<String, Double> stateSeconds = stateSeconds(beat);
    long starts = Math.max(beat.starts, Math.max(1, beat.json.path("start_count").asLong(1)));
    return new AgentHealth(
        id,
        beat.json.path("agent_name").asText(id),
        missed ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY,
        beat.json.path("state").asText("unknown"),
        task.isTextual() ? task.asText() : null,
        started,
        beat.receivedAt,
        resources,
        stateSince,
        starts,
        stateSeconds);
  }

  /** The seconds per state of every run of the agent this monitor saw, the last one included. */
  private static Map<String, Double> stateSeconds(Beat beat) {
    Map<String, Double> seconds = new LinkedHashMap<>(beat.earlierRuns);
    beat.json
        .path("state_seconds")
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isNumber() && AgentState.parse(e.getKey()) != null) {
                seconds.merge(e.getKey(), e.getValue().asDouble(), Double::sum);
              }
            });
    return Map.copyOf(seconds);
  }

  @Override
  public void close() {
    subscription.close();
  }
}
