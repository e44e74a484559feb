/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.spring;

import dev.baton.health.CheckReport;
import dev.baton.health.HealthCheck;
import dev.baton.health.HealthManager;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * A Baton {@link HealthCheck} as an Actuator {@link HealthIndicator}: HEALTHY is UP, DEGRADED is UP
 * with {@code degraded: true} and the reason (the application still serves), UNKNOWN is UNKNOWN,
 * UNHEALTHY is DOWN. The check runs under Baton's own {@link HealthManager} (on demand, no
 * schedule): its timeout, its one-second cache, a hanging check never started twice, an exception a
 * DOWN with a redacted reason. Closing it stops the manager and closes the check. Thread-safe.
 */
final class CheckIndicator implements HealthIndicator, AutoCloseable {

  private final HealthCheck check;
  private final HealthManager manager;

  CheckIndicator(HealthCheck check, Duration timeout) {
    this.check = check;
    this.manager =
        HealthManager.builder()
            .addCheck(check)
            .setTimeout(timeout)
            .setAnswerWithin(timeout)
            .setInterval(Duration.ZERO)
            .build();
  }

  @Override
  public Health health() {
    CheckReport report = manager.report().checks().get(check.name());
    if (report == null) {
      return Health.unknown().build();
    }
    Health.Builder health =
        switch (report.status()) {
          case HEALTHY -> Health.up();
          case DEGRADED -> Health.up().withDetail("degraded", true);
          case UNKNOWN -> Health.unknown();
          case UNHEALTHY -> Health.status(Status.DOWN);
        };
    if (!report.reason().isEmpty()) {
      health.withDetail("reason", report.reason());
    }
    for (Map.Entry<String, Object> detail : report.details().entrySet()) {
      health.withDetail(detail.getKey(), detail.getValue());
    }
    if (!report.dependencies().isEmpty()) {
      health.withDetail("dependencies", report.dependencies());
    }
    return health.build();
  }

  /** Stops the manager; closes the check when it holds resources (Kafka's admin client). */
  @Override
  public void close() throws Exception {
    manager.close();
    if (check instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
