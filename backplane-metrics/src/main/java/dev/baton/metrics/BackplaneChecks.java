/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import dev.baton.transport.TransportListener.PermissionChange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Health checks read from a {@link BackplaneMetrics}: a backlog, a group nobody consumes, a call
 * the broker refuses. Each is DEGRADED at worst, naming what it saw, and HEALTHY otherwise: a
 * reason to look, never to restart the process, so register them as non-critical. Needs {@code
 * baton-health} on the class path (the metrics alone do not).
 */
public final class BackplaneChecks {

  private BackplaneChecks() {}

  /**
   * {@code backlog}: DEGRADED while any group is behind {@code limits} (lag in messages or seconds,
   * queue depth) or stalled, from the same data the gauges show.
   *
   * @param metrics the backplane metrics the check reads
   * @param limits where the check turns DEGRADED
   * @return the {@code backlog} check
   */
  public static HealthCheck backlog(BackplaneMetrics metrics, BacklogLimits limits) {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(limits, "limits");
    return check(
        "backlog",
        () -> {
          List<BackplaneMetrics.GroupView> groups = metrics.groups();
          List<String> behind = new ArrayList<>();
          for (BackplaneMetrics.GroupView g : groups) {
            String who =
                (g.group().isEmpty() ? "" : g.group() + " on ")
                    + g.destination()
                    + " ("
                    + g.system()
                    + ")";
            if (g.lag() > limits.maxLagMessages()) {
              behind.add(who + ": " + (long) g.lag() + " messages behind");
            }
            if (g.lagSeconds() > limits.maxLagSeconds()) {
              behind.add(who + ": oldest unhandled message " + (long) g.lagSeconds() + " s old");
            }
            if (g.queueMessages() > limits.maxQueueDepth()) {
              behind.add(who + ": " + (long) g.queueMessages() + " queued in the client");
            }
            if (g.status() == ConsumerStatus.STALLED) {
              behind.add(who + ": stalled");
            }
          }
          return degradedWhile(behind, false)
              .withDetail("groups", groups.size())
              .withDetail("behind", behind.size());
        });
  }

  /**
   * {@code stopped}: DEGRADED while a group that no consumer runs (status STOPPED) has messages
   * waiting, naming each. Where whole groups can be down, as {@code baton-lag} sees them from the
   * broker.
   *
   * @param metrics the backplane metrics the check reads
   * @return the {@code stopped} check
   */
  public static HealthCheck stopped(BackplaneMetrics metrics) {
    Objects.requireNonNull(metrics, "metrics");
    return check(
        "stopped",
        () -> {
          List<String> waiting = new ArrayList<>();
          for (BackplaneMetrics.GroupView g : metrics.groups()) {
            if (g.status() == ConsumerStatus.STOPPED && g.lag() > 0) {
              waiting.add(
                  g.group()
                      + " on "
                      + g.destination()
                      + " ("
                      + g.system()
                      + "): no consumer running, "
                      + (long) g.lag()
                      + " messages waiting");
            }
          }
          return degradedWhile(waiting, true).withDetail("stopped_with_lag", waiting.size());
        });
  }

  /**
   * {@code permissions}: DEGRADED while the broker refuses a call Baton makes for one of its own
   * features (say the backlog probe's), with what was refused and why; HEALTHY once every such call
   * goes through. Messaging does not depend on these calls.
   *
   * @param metrics the backplane metrics the check reads
   * @return the {@code permissions} check
   */
  public static HealthCheck permissions(BackplaneMetrics metrics) {
    Objects.requireNonNull(metrics, "metrics");
    return check(
        "permissions",
        () -> {
          List<String> reasons = new ArrayList<>();
          for (PermissionChange e : metrics.refusals()) {
            reasons.add(
                "not permitted: "
                    + e.feature()
                    + " for "
                    + e.target()
                    + " ("
                    + e.system()
                    + "): "
                    + e.detail());
          }
          return degradedWhile(reasons, true).withDetail("denied", reasons.size());
        });
  }

  /** HEALTHY when there are no {@code reasons}; else DEGRADED, naming them all. */
  private static CheckResult degradedWhile(List<String> reasons, boolean sorted) {
    if (sorted) {
      Collections.sort(reasons);
    }
    return reasons.isEmpty()
        ? CheckResult.healthy()
        : CheckResult.degraded(String.join("; ", reasons));
  }

  private static HealthCheck check(String name, Supplier<CheckResult> body) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult check() {
        return body.get();
      }
    };
  }
}
