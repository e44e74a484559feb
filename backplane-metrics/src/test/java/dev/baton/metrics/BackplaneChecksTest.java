/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import dev.baton.health.HealthStatus;
import dev.baton.transport.TransportListener.Backlog;
import dev.baton.transport.TransportListener.QueueDepth;
import dev.baton.transport.TransportListener.SubscriptionChange;
import dev.baton.transport.TransportListener.SubscriptionState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackplaneChecksTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final BackplaneMetrics metrics =
      BackplaneMetrics.builder().setClock(now::get).setStallAfter(Duration.ofSeconds(30)).build();
  private final HealthCheck check;

  BackplaneChecksTest() {
    metrics.bindTo(new SimpleMeterRegistry());
    check = BackplaneChecks.backlog(metrics, new BacklogLimits(100, 60, 50));
  }

  @Test
  void withinTheLimitsIsHealthy() throws Exception {
    metrics.onBacklog(new Backlog("kafka", "tasks", "workers", "0", 10, Double.NaN, 1));
    metrics.onQueueDepth(new QueueDepth("kafka", "tasks", "workers", 3, 300));

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.details()).containsEntry("groups", 1);
    assertThat(metrics.totalLag()).isEqualTo(10);
    assertThat(metrics.totalQueueDepth()).isEqualTo(3);
  }

  @Test
  void lagQueueDepthOrAStallDegradeButNeverFail() throws Exception {
    metrics.onBacklog(new Backlog("kafka", "tasks", "workers", "0", 5000, Double.NaN, 90));
    metrics.onQueueDepth(new QueueDepth("nats", "events", "", 80, 8000));
    metrics.onSubscription(
        new SubscriptionChange("nats", "audit", "auditors", SubscriptionState.STARTED));
    metrics.onBacklog(new Backlog("nats", "audit", "auditors", "", 3, 0, 1));
    now.addAndGet(31_000);

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.reason())
        .contains("workers on tasks (kafka): 5000 messages behind")
        .contains("oldest unhandled message 90 s old")
        .contains("events (nats): 80 queued in the client")
        .contains("auditors on audit (nats): stalled");
    assertThat(metrics.totalLag()).isEqualTo(5003);
  }

  @Test
  void nothingKnownIsHealthyAndUnknownTotals() throws Exception {
    assertThat(check.check().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(metrics.totalLag()).isEqualTo(-1);
    assertThat(metrics.totalQueueDepth()).isEqualTo(-1);
  }
}
