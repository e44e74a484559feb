/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The health endpoints' plain {@code application/json}: Baton's own field names. */
final class PlainJsonRenderer implements HealthRenderer {

  static final PlainJsonRenderer INSTANCE = new PlainJsonRenderer();

  private PlainJsonRenderer() {}

  @Override
  public String mediaType() {
    return "application/json";
  }

  @Override
  public Map<String, Object> health(HealthReport report, ProcessFacts facts, boolean details) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", report.status().name());
    out.put("timestamp", Instant.now().toString());
    if (!details) {
      return out;
    }
    out.put("uptime_seconds", facts.uptimeSeconds());
    out.put("version", facts.version());
    Map<String, Object> checks = new LinkedHashMap<>();
    for (CheckReport check : report.checks().values()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("status", check.status().name());
      entry.put("critical", check.critical());
      entry.put("last_check", check.checkedAt().toString());
      entry.put(
          "age_ms", Math.max(0, Duration.between(check.checkedAt(), Instant.now()).toMillis()));
      entry.put("latency_ms", check.latencyMillis());
      if (!check.reason().isEmpty()) {
        entry.put("reason", check.reason());
      }
      entry.put("details", check.details());
      entry.put("dependencies", check.dependencies());
      checks.put(check.name(), entry);
    }
    out.put("checks", checks);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("cpu_usage_percent", facts.cpuUsagePercent());
    metrics.put("memory_usage_mb", facts.memoryUsageMb());
    metrics.put("memory_available_mb", facts.memoryAvailableMb());
    metrics.put("active_agents", facts.activeAgents());
    metrics.put("pending_tasks", facts.pendingTasks());
    metrics.put("message_queue_depth", facts.queueDepth());
    out.put("metrics", metrics);
    return out;
  }

  @Override
  public Map<String, Object> ready(
      HealthStatus status, boolean ready, boolean started, ProcessFacts facts, boolean details) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", status.name());
    out.put("timestamp", Instant.now().toString());
    out.put("ready_for_tasks", ready);
    if (!details) {
      return out;
    }
    out.put("available_agents", facts.activeAgents());
    out.put("queue_depth", facts.queueDepth());
    Map<String, Object> resources = new LinkedHashMap<>();
    Double cpu = facts.cpuUsagePercent();
    resources.put(
        "cpu_available_percent", cpu == null ? null : Math.round((100 - cpu) * 10) / 10.0);
    resources.put("memory_available_mb", facts.memoryAvailableMb());
    out.put("resource_availability", resources);
    return out;
  }

  @Override
  public Map<String, Object> live(ProcessFacts facts, boolean details) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", HealthStatus.HEALTHY.name());
    out.put("timestamp", Instant.now().toString());
    if (details) {
      out.put("uptime_seconds", facts.uptimeSeconds());
    }
    return out;
  }

  @Override
  public Map<String, Object> started(boolean started, ProcessFacts facts, boolean details) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", (started ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY).name());
    out.put("started", started);
    out.put("timestamp", Instant.now().toString());
    return out;
  }

  @Override
  public Map<String, Object> agent(AgentHealth agent, ProcessFacts facts, boolean details) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", agent.agentId());
    out.put("status", agent.status().name());
    if (!details) {
      return out;
    }
    out.put("agent_name", agent.agentName());
    out.put("state", agent.state());
    out.put("state_since", agent.stateSince().toString());
    out.put(
        "time_in_state_seconds",
        Math.max(0, Duration.between(agent.stateSince(), Instant.now()).toMillis()) / 1000.0);
    out.put("start_count", agent.startCount());
    out.put("state_seconds", agent.stateSeconds());
    out.put(
        "uptime_seconds",
        Math.max(0, Duration.between(agent.startedAt(), Instant.now()).toSeconds()));
    out.put("current_task", agent.currentTask());
    out.put("resources", agent.resources());
    out.put("last_heartbeat", agent.lastHeartbeat().toString());
    return out;
  }
}
