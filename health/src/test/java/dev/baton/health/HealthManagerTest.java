/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthManagerTest {

  static HealthCheck check(String name, CheckResult result) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult check() {
        return result;
      }
    };
  }

  static HealthCheck hanging(String name, CountDownLatch never) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult check() throws InterruptedException {
        never.await();
        return CheckResult.healthy();
      }
    };
  }

  @Test
  void aCheckThatNeverReturnsNeverDelaysAnAnswerAndFailsOnceItsTimeIsUp() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (HealthManager manager =
        HealthManager.builder()
            .addCheck(hanging("stuck", never))
            .addCheck(check("fine", CheckResult.healthy()))
            .setTimeout(Duration.ofSeconds(2))
            .setAnswerWithin(Duration.ofMillis(100))
            .setInterval(Duration.ZERO)
            .setCacheFor(Duration.ZERO)
            .build()) {
      long started = System.nanoTime();
      HealthReport first = manager.report();
      long firstMillis = (System.nanoTime() - started) / 1_000_000;

      // Answered on the 0.1 s budget, not after the 2 s timeout: 1 s to spare either way.
      assertThat(firstMillis).isLessThan(1000);
      assertThat(first.status()).isEqualTo(HealthStatus.UNKNOWN);
      assertThat(first.checks().get("stuck").status()).isEqualTo(HealthStatus.UNKNOWN);
      assertThat(first.checks().get("stuck").reason()).isEqualTo("not checked yet");

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      HealthReport later = first;
      long slowest = 0;
      while (later.checks().get("stuck").status() != HealthStatus.UNHEALTHY
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
        long asked = System.nanoTime();
        later = manager.report();
        slowest = Math.max(slowest, (System.nanoTime() - asked) / 1_000_000);
      }
      long failedAfter = (System.nanoTime() - started) / 1_000_000;

      assertThat(later.status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(later.checks().get("stuck").reason()).contains("timed out after 2000 ms");
      assertThat(later.checks().get("fine").status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(failedAfter).as("failed once its time was up, not before").isGreaterThan(1900);
      assertThat(slowest).as("no answer waited on the hung check").isLessThan(1000);
      assertThat(manager.runs("stuck")).as("a hung check is not piled up").isEqualTo(1);
    } finally {
      never.countDown();
    }
  }

  @Test
  void aCheckThatStartsHangingKeepsItsLastResultUntilItsTimeIsUp() throws Exception {
    AtomicBoolean hang = new AtomicBoolean();
    CountDownLatch release = new CountDownLatch(1);
    HealthCheck broker =
        new HealthCheck() {
          @Override
          public String name() {
            return "broker";
          }

          @Override
          public CheckResult check() throws InterruptedException {
            if (hang.get()) {
              release.await();
            }
            return CheckResult.healthy();
          }
        };
    try (HealthManager manager =
        HealthManager.builder()
            .addCheck(broker)
            .setTimeout(Duration.ofSeconds(3))
            .setAnswerWithin(Duration.ofMillis(100))
            .setInterval(Duration.ZERO)
            .setCacheFor(Duration.ZERO)
            .build()) {
      assertThat(manager.refresh().status()).isEqualTo(HealthStatus.HEALTHY);
      hang.set(true); // the broker goes away: the next check waits for its timeout

      long asked = System.nanoTime();
      HealthReport during = manager.report();
      long millis = (System.nanoTime() - asked) / 1_000_000;

      assertThat(millis).isLessThan(1000);
      assertThat(during.status())
          .as("the last completed result, while the check runs")
          .isEqualTo(HealthStatus.HEALTHY);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (manager.report().status() != HealthStatus.UNHEALTHY && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(manager.report().checks().get("broker").reason())
          .contains("timed out after 3000 ms");
    } finally {
      release.countDown();
    }
  }

  @Test
  void aCheckThatThrowsIsUnhealthyWithARedactedReason() {
    HealthCheck throwing =
        new HealthCheck() {
          @Override
          public String name() {
            return "broker";
          }

          @Override
          public CheckResult check() {
            throw new IllegalStateException("cannot reach nats://alice:s3cret@10.1.2.3:4222");
          }
        };
    try (HealthManager manager =
        HealthManager.builder().addCheck(throwing).setInterval(Duration.ZERO).build()) {
      CheckReport report = manager.report().checks().get("broker");

      assertThat(report.status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(report.reason())
          .contains("IllegalStateException")
          .contains("nats://***@10.1.2.3:4222");
      assertThat(report.reason()).doesNotContain("s3cret").doesNotContain("alice");
    }
  }

  @Test
  void aNonCriticalFailureDegradesAndACriticalOneFails() {
    try (HealthManager degraded =
            HealthManager.builder()
                .addCheck(check("db", CheckResult.healthy()))
                .addCheck(
                    check("backlog", CheckResult.unhealthy("lagging")), Criticality.NON_CRITICAL)
                .setInterval(Duration.ZERO)
                .build();
        HealthManager failed =
            HealthManager.builder()
                .addCheck(check("db", CheckResult.unhealthy("down")))
                .addCheck(
                    check("backlog", CheckResult.degraded("lagging")), Criticality.NON_CRITICAL)
                .setInterval(Duration.ZERO)
                .build()) {
      assertThat(degraded.report().status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(failed.report().status()).isEqualTo(HealthStatus.UNHEALTHY);
    }
  }

  @Test
  void concurrentCallersShareOneEvaluationPerCachePeriod() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    HealthCheck slow =
        new HealthCheck() {
          @Override
          public String name() {
            return "slow";
          }

          @Override
          public CheckResult check() throws InterruptedException {
            runs.incrementAndGet();
            Thread.sleep(200); // a slow dependency
            return CheckResult.healthy();
          }
        };
    try (HealthManager manager =
        HealthManager.builder()
            .addCheck(slow)
            .setInterval(Duration.ZERO)
            .setCacheFor(Duration.ofSeconds(10))
            .build()) {
      Thread[] threads = new Thread[50];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = new Thread(manager::report);
        threads[i].start();
      }
      for (Thread thread : threads) {
        thread.join();
      }

      assertThat(runs).hasValue(1);
    }
  }

  @Test
  void badConfigurationFailsAtBuild() {
    assertThatThrownBy(
            () ->
                HealthManager.builder()
                    .addCheck(check("a", CheckResult.healthy()))
                    .addCheck(check("a", CheckResult.healthy())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two checks are named 'a'");
    assertThatThrownBy(() -> HealthManager.builder().setTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(
            () ->
                HealthManager.builder()
                    .setCacheFor(Duration.ofSeconds(60))
                    .setMaxAge(Duration.ofSeconds(30))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAge");
  }
}
