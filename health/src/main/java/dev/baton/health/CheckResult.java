/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one check found. Immutable; the details map is unmodifiable and must hold only values that
 * render as JSON (strings, numbers, booleans, lists and maps of them) and never a credential.
 *
 * @param status the check's status
 * @param reason why it is not HEALTHY, empty when it is
 * @param details facts for the response (a latency, a server address)
 */
public record CheckResult(HealthStatus status, String reason, Map<String, Object> details) {

  /**
   * Checks the arguments and makes the details unmodifiable.
   *
   * @param status the check's status
   * @param reason why it is not HEALTHY, empty when it is
   * @param details facts for the response (a latency, a server address)
   */
  public CheckResult {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /**
   * HEALTHY with no details.
   *
   * @return a HEALTHY result
   */
  public static CheckResult healthy() {
    return new CheckResult(HealthStatus.HEALTHY, "", Map.of());
  }

  /**
   * DEGRADED because of {@code reason}.
   *
   * @param reason why, in a few words (never a secret)
   * @return a DEGRADED result
   */
  public static CheckResult degraded(String reason) {
    return new CheckResult(HealthStatus.DEGRADED, reason, Map.of());
  }

  /**
   * UNHEALTHY because of {@code reason}.
   *
   * @param reason why, in a few words (never a secret)
   * @return an UNHEALTHY result
   */
  public static CheckResult unhealthy(String reason) {
    return new CheckResult(HealthStatus.UNHEALTHY, reason, Map.of());
  }

  /**
   * {@return this result with one more detail}
   *
   * @param key the detail's name
   * @param value the detail's value, shown in the health answer's details
   */
  public CheckResult withDetail(String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(details);
    copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new CheckResult(status, reason, copy);
  }
}
