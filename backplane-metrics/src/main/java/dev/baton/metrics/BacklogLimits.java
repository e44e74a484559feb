/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

/**
 * Where the backlog health check turns DEGRADED. A limit of {@link Double#POSITIVE_INFINITY}
 * switches that comparison off.
 *
 * @param maxLagMessages the most messages a group may be behind
 * @param maxLagSeconds the oldest a group's unhandled message may be, in seconds
 * @param maxQueueDepth the most messages a subscription may hold unhandled in the client
 */
public record BacklogLimits(double maxLagMessages, double maxLagSeconds, double maxQueueDepth) {

  /**
   * Checks the limits.
   *
   * @param maxLagMessages the most messages a group may be behind
   * @param maxLagSeconds the oldest a group's unhandled message may be, in seconds
   * @param maxQueueDepth the most messages a subscription may hold unhandled in the client
   */
  public BacklogLimits {
    if (!(maxLagMessages > 0) || !(maxLagSeconds > 0) || !(maxQueueDepth > 0)) {
      throw new IllegalArgumentException("backlog limits must be positive");
    }
  }

  /**
   * 1,000 messages, 120 seconds, 1,000 queued: the shipped alert rules' thresholds.
   *
   * @return the default limits
   */
  public static BacklogLimits defaults() {
    return new BacklogLimits(1000, 120, 1000);
  }
}
