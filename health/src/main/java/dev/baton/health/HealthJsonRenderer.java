/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IETF health-check draft's {@code application/health+json}: {@code pass}/{@code warn}/{@code
 * fail}, checks keyed {@code component:measurement}.
 */
final class HealthJsonRenderer implements HealthRenderer {

  static final HealthJsonRenderer INSTANCE = new HealthJsonRenderer();

  private HealthJsonRenderer() {}

  @Override
  public String mediaType() {
    return HealthServer.HEALTH_JSON;
  }

  @Override
  public Map<String, Object> health(HealthReport report, ProcessFacts facts, boolean details) {
    Map<String, Object> out = head(report.status(), facts, details);
    if (!details) {
      return out;
    }
    Map<String, Object> checks = new LinkedHashMap<>();
    for (CheckReport check : report.checks().values()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("componentId", check.name());
      entry.put("componentType", "component");
      entry.put("observedValue", check.latencyMillis());
      entry.put("observedUnit", "ms");
      entry.put("status", status(check.status()));
      entry.put("time", check.checkedAt().toString());
      if (!check.reason().isEmpty()) {
        entry.put("output", check.reason());
      }
      checks.put(check.name() + ":responseTime", List.of(entry));
    }
    checks.put(
        "process:uptime",
        List.of(
            Map.of(
                "componentType",
                "system",
                "observedValue",
                facts.uptimeSeconds(),
                "observedUnit",
                "s",
                "status",
                "pass")));
    out.put("checks", checks);
    return out;
  }

  @Override
  public Map<String, Object> ready(
      HealthStatus status, boolean ready, boolean started, ProcessFacts facts, boolean details) {
    Map<String, Object> out = head(status, facts, details);
    if (!ready && details) {
      out.put("output", started ? "a critical check fails" : "not started yet");
    }
    return out;
  }

  @Override
  public Map<String, Object> live(ProcessFacts facts, boolean details) {
    return head(HealthStatus.HEALTHY, facts, details);
  }

  @Override
  public Map<String, Object> started(boolean started, ProcessFacts facts, boolean details) {
    return head(started ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY, facts, details);
  }

  @Override
  public Map<String, Object> agent(AgentHealth agent, ProcessFacts facts, boolean details) {
    Map<String, Object> out = head(agent.status(), facts, details);
    out.put("serviceId", agent.agentId());
    if (!details) {
      return out;
    }
    out.put(
        "checks",
        Map.of(
            "agent:heartbeat",
            List.of(
                Map.of(
                    "componentType",
                    "component",
                    "status",
                    status(agent.status()),
                    "time",
                    agent.lastHeartbeat().toString(),
                    "observedValue",
                    agent.state(),
                    "output",
                    agent.state() + " since " + agent.stateSince()))));
    return out;
  }

  private static Map<String, Object> head(
      HealthStatus status, ProcessFacts facts, boolean details) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", status(status));
    if (details) {
      out.put("version", facts.version());
      out.put("description", "Baton agent process");
    }
    return out;
  }

  private static String status(HealthStatus status) {
    return switch (status) {
      case HEALTHY -> "pass";
      case DEGRADED -> "warn";
      case UNKNOWN, UNHEALTHY -> "fail";
    };
  }
}
