package dev.baton.spring;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import dev.baton.transport.internal.Redaction;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * A Baton {@link HealthCheck} as an Actuator {@link HealthIndicator}: HEALTHY is UP, DEGRADED is UP
 * with {@code degraded: true} and the reason (the application still serves), UNKNOWN is UNKNOWN,
 * UNHEALTHY is DOWN. The check runs on Baton's health thread with a timeout; a check that throws or
 * hangs is DOWN with a redacted reason. Closing it closes the check. Thread-safe.
 */
final class CheckIndicator implements HealthIndicator, AutoCloseable {

  private final HealthCheck check;
  private final Executor executor;
  private final Duration timeout;

  CheckIndicator(HealthCheck check, Executor executor, Duration timeout) {
    this.check = check;
    this.executor = executor;
    this.timeout = timeout;
  }

  @Override
  public Health health() {
    CheckResult result;
    CompletableFuture<CheckResult> future =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return check.check();
              } catch (Exception e) {
                return CheckResult.unhealthy(Redaction.describe(e));
              }
            },
            executor);
    try {
      result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      result = CheckResult.unhealthy("no answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = CheckResult.unhealthy("interrupted");
    } catch (ExecutionException e) {
      result = CheckResult.unhealthy(Redaction.describe(e.getCause()));
    }
    return toHealth(result, check);
  }

  /** Closes the check when it holds resources (Kafka's admin client). */
  @Override
  public void close() throws Exception {
    if (check instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  static Health toHealth(CheckResult result, HealthCheck check) {
    Health.Builder health =
        switch (result.status()) {
          case HEALTHY -> Health.up();
          case DEGRADED -> Health.up().withDetail("degraded", true);
          case UNKNOWN -> Health.unknown();
          case UNHEALTHY -> Health.status(Status.DOWN);
        };
    if (!result.reason().isEmpty()) {
      health.withDetail("reason", result.reason());
    }
    for (Map.Entry<String, Object> detail : result.details().entrySet()) {
      health.withDetail(detail.getKey(), detail.getValue());
    }
    if (!check.dependencies().isEmpty()) {
      health.withDetail("dependencies", check.dependencies());
    }
    return health.build();
  }
}
