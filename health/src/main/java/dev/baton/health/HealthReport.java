/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The aggregated health: worst-wins over the checks, where a failing critical check makes the whole
 * UNHEALTHY (or UNKNOWN) and a failing non-critical one makes it DEGRADED.
 *
 * @param status the aggregate
 * @param evaluatedAt when the checks ran
 * @param checks every check's report, by name, in registration order
 */
public record HealthReport(
    HealthStatus status, Instant evaluatedAt, Map<String, CheckReport> checks) {

  /**
   * Checks the arguments.
   *
   * @param status the aggregate
   * @param evaluatedAt when the checks ran
   * @param checks every check's report, by name, in registration order
   */
  public HealthReport {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(evaluatedAt, "evaluatedAt");
    checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
  }

  static HealthStatus aggregate(Iterable<CheckReport> reports) {
    HealthStatus status = HealthStatus.HEALTHY;
    for (CheckReport report : reports) {
      HealthStatus contribution =
          report.critical() || report.status() == HealthStatus.HEALTHY
              ? report.status()
              : HealthStatus.DEGRADED;
      status = status.worst(contribution);
    }
    return status;
  }
}
