package dev.baton.metrics;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import java.util.ArrayList;
import java.util.List;

/**
 * DEGRADED while any consumer group is behind its {@link BacklogLimits} (lag in messages or
 * seconds, messages queued in the client) or stalled, from the same data the gauges show; never
 * UNHEALTHY: a backlog is a reason to look, not to restart the process.
 */
final class BacklogCheck implements HealthCheck {

  private final BackplaneMetrics metrics;
  private final BacklogLimits limits;

  BacklogCheck(BackplaneMetrics metrics, BacklogLimits limits) {
    this.metrics = metrics;
    this.limits = limits;
  }

  @Override
  public String name() {
    return "backlog";
  }

  @Override
  public CheckResult check() {
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
    CheckResult result =
        behind.isEmpty() ? CheckResult.healthy() : CheckResult.degraded(String.join("; ", behind));
    return result.withDetail("groups", groups.size()).withDetail("behind", behind.size());
  }
}
