/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.util.Map;

/**
 * How the health endpoints write their answers: plain JSON ({@link PlainJsonRenderer}) or the IETF
 * health-check draft's {@code application/health+json} ({@link HealthJsonRenderer}). The server
 * decides status codes and caching; a renderer only shapes the body. Without {@code details} (see
 * {@link ShowDetails}) a body holds the status and nothing that describes the process, its
 * dependencies or its agents.
 */
interface HealthRenderer {

  /** The response's {@code Content-Type}. */
  String mediaType();

  /** {@code /health}: the overall status, every check, the process figures. */
  Map<String, Object> health(HealthReport report, ProcessFacts facts, boolean details);

  /**
   * {@code /health/ready}: {@code status} is the report's when ready, UNHEALTHY otherwise; {@code
   * started} says whether the process said it started.
   */
  Map<String, Object> ready(
      HealthStatus status, boolean ready, boolean started, ProcessFacts facts, boolean details);

  /** {@code /health/live}: the process is up. */
  Map<String, Object> live(ProcessFacts facts, boolean details);

  /** {@code /health/started}. */
  Map<String, Object> started(boolean started, ProcessFacts facts, boolean details);

  /** {@code /health/agent/{id}}: one agent from its heartbeats. */
  Map<String, Object> agent(AgentHealth agent, ProcessFacts facts, boolean details);
}
