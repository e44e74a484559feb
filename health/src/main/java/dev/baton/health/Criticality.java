/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

/** What a failing check does to the whole answer of a {@link HealthManager}. */
public enum Criticality {
  /** Its failure makes the whole UNHEALTHY: a broker, a database the agent cannot work without. */
  CRITICAL,
  /** Its failure makes the whole DEGRADED at worst: a backlog, a refused permission. */
  NON_CRITICAL
}
