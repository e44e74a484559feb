/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

/** A health status. Aggregation is worst-wins, in the order declared here (worst last). */
public enum HealthStatus {
  /** Everything works. */
  HEALTHY,
  /** Works, with a problem worth a look (a slow broker, a lagging consumer). Still serving. */
  DEGRADED,
  /** Not known: the result is older than its maximum age. Not serving. */
  UNKNOWN,
  /** Does not work. Not serving. */
  UNHEALTHY;

  /**
   * {@return the worse of the two}
   *
   * @param other the status to compare with
   */
  public HealthStatus worst(HealthStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /** {@return whether a process in this state should get traffic: HEALTHY or DEGRADED} */
  public boolean isServing() {
    return this == HEALTHY || this == DEGRADED;
  }
}
