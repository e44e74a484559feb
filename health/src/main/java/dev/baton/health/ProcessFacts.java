/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import dev.baton.health.internal.ResourceUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What the health endpoints say about the process besides the checks, each figure read when a
 * renderer asks for it: uptime, version, CPU and memory, agents, tasks and queue depth ({@code
 * null} where unknown).
 */
final class ProcessFacts {

  private final HealthManager manager;
  private final @Nullable HeartbeatMonitor heartbeats;
  private final String version;
  private final LongSupplier pendingTasks;
  private final LongSupplier queueDepth;

  ProcessFacts(
      HealthManager manager,
      @Nullable HeartbeatMonitor heartbeats,
      String version,
      LongSupplier pendingTasks,
      LongSupplier queueDepth) {
    this.manager = manager;
    this.heartbeats = heartbeats;
    this.version = version;
    this.pendingTasks = pendingTasks;
    this.queueDepth = queueDepth;
  }

  String version() {
    return version;
  }

  long uptimeSeconds() {
    return Math.max(0, Duration.between(manager.createdAt(), Instant.now()).toSeconds());
  }

  @Nullable Double cpuUsagePercent() {
    double value = manager.cpuUsagePercent();
    return Double.isNaN(value) ? null : value;
  }

  double memoryUsageMb() {
    return ResourceUsage.memoryUsageMb();
  }

  double memoryAvailableMb() {
    return ResourceUsage.memoryAvailableMb();
  }

  @Nullable Integer activeAgents() {
    return heartbeats == null ? null : heartbeats.activeAgents();
  }

  @Nullable Long pendingTasks() {
    return count(pendingTasks);
  }

  @Nullable Long queueDepth() {
    return count(queueDepth);
  }

  private static @Nullable Long count(LongSupplier supplier) {
    try {
      long value = supplier.getAsLong();
      return value < 0 ? null : value;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
