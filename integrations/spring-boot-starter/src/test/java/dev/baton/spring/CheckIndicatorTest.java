/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import dev.baton.testing.Await;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The indicator adapter: Baton's statuses in Actuator's terms, under Baton's health manager. */
class CheckIndicatorTest {

  private static HealthCheck check(String name, Callable<CheckResult> run) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult check() throws Exception {
        return run.call();
      }
    };
  }

  @Test
  void degradedIsUpWithTheReasonAndTheDetails() throws Exception {
    try (CheckIndicator indicator =
        new CheckIndicator(
            check("lag", () -> CheckResult.degraded("3 behind").withDetail("behind", 3)),
            Duration.ofSeconds(2))) {
      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails())
          .containsEntry("degraded", true)
          .containsEntry("reason", "3 behind")
          .containsEntry("behind", 3);
    }
  }

  @Test
  void aThrowingCheckIsDownWithARedactedReason() throws Exception {
    try (CheckIndicator indicator =
        new CheckIndicator(
            check(
                "broker",
                () -> {
                  throw new IllegalStateException(
                      "no broker at nats://app:s3cret-pw@10.0.0.1:4222");
                }),
            Duration.ofSeconds(2))) {
      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails().get("reason").toString())
          .contains("IllegalStateException")
          .doesNotContain("s3cret-pw");
    }
  }

  @Test
  void aHangingCheckTurnsDownOnItsTimeoutAndIsNeverStartedTwice() throws Exception {
    AtomicInteger starts = new AtomicInteger();
    CountDownLatch never = new CountDownLatch(1);
    try (CheckIndicator indicator =
        new CheckIndicator(
            check(
                "hangs",
                () -> {
                  starts.incrementAndGet();
                  never.await();
                  return CheckResult.healthy();
                }),
            Duration.ofMillis(300))) {
      long began = System.nanoTime();
      assertThat(indicator.health().getStatus()).isIn(Status.DOWN, Status.UNKNOWN);
      assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(2));
      Await.until("DOWN once its time is up", () -> indicator.health().getStatus() == Status.DOWN);
      assertThat(starts).hasValue(1);
    }
  }
}
