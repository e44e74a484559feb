/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One check's latest outcome, as the manager recorded it.
 *
 * @param name the check's name
 * @param status its status
 * @param critical whether its failure makes the whole UNHEALTHY (else DEGRADED)
 * @param reason why it is not HEALTHY, empty when it is (redacted, truncated)
 * @param details facts the check reported
 * @param dependencies what it depends on
 * @param checkedAt when the check finished (or timed out)
 * @param latencyMillis how long it took
 */
public record CheckReport(
    String name,
    HealthStatus status,
    boolean critical,
    String reason,
    Map<String, Object> details,
    List<String> dependencies,
    Instant checkedAt,
    long latencyMillis) {

  /**
   * Checks the arguments.
   *
   * @param name the check's name
   * @param status its status
   * @param critical whether its failure makes the whole UNHEALTHY (else DEGRADED)
   * @param reason why it is not HEALTHY, empty when it is (redacted, truncated)
   * @param details facts the check reported
   * @param dependencies what it depends on
   * @param checkedAt when the check finished (or timed out)
   * @param latencyMillis how long it took
   */
  public CheckReport {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    details = Map.copyOf(details);
    dependencies = List.copyOf(dependencies);
    Objects.requireNonNull(checkedAt, "checkedAt");
  }

  /** This report as UNKNOWN, for a result older than its maximum age. */
  CheckReport stale() {
    return new CheckReport(
        name,
        HealthStatus.UNKNOWN,
        critical,
        "last result is older than its maximum age",
        details,
        dependencies,
        checkedAt,
        latencyMillis);
  }
}
