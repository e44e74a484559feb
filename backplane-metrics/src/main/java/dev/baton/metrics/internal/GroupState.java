/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics.internal;

import dev.baton.metrics.ConsumerStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not API: what the metrics know about one consumer group on one destination: lag per partition,
 * ack-pending, queue depth, the last successful processing and whether any subscription runs.
 * Thread-safe; read by gauges at scrape time.
 */
public final class GroupState {

  /** Per-partition lag and the last three lag readings, for the WARN trend. */
  static final class Partition {
    volatile double lag = Double.NaN;
    volatile double seconds = Double.NaN;
    volatile double position = Double.NaN;
    private final Object historyLock = new Object();
    private final double[] history = {Double.NaN, Double.NaN, Double.NaN};
    private int next;

    void update(double lag, double seconds) {
      synchronized (historyLock) {
        this.lag = lag;
        this.seconds = seconds;
        history[next] = lag;
        next = (next + 1) % history.length;
      }
    }

    boolean growing() {
      synchronized (historyLock) {
        double a = history[next % 3];
        double b = history[(next + 1) % 3];
        double c = history[(next + 2) % 3];
        return a < b && b < c; // false when any is NaN
      }
    }
  }

  private final Map<String, Partition> partitions = new ConcurrentHashMap<>();
  private volatile double ackPending = Double.NaN;
  private volatile double queueMessages = Double.NaN;
  private volatile double queueBytes = Double.NaN;
  private volatile long lastSuccessMillis = -1;
  private volatile long sinceMillis;
  private final Object subscriptionsLock = new Object();
  private int running;
  private boolean seenSubscription;

  public GroupState(long nowMillis) {
    this.sinceMillis = nowMillis;
  }

  public void backlog(String partition, double lag, double ackPending, double seconds) {
    backlog(partition, lag, ackPending, seconds, Double.NaN, 0);
  }

  /**
   * A backlog reading with the group's position: a position past the one read before is progress
   * (the group consumed), as {@link #processedSuccessfully} is.
   */
  public void backlog(
      String partition,
      double lag,
      double ackPending,
      double seconds,
      double position,
      long nowMillis) {
    Partition p = partitions.computeIfAbsent(partition, k -> new Partition());
    double before = p.position;
    if (!Double.isNaN(position)) {
      p.position = position;
      if (!Double.isNaN(before) && position > before) {
        lastSuccessMillis = nowMillis;
      }
    }
    p.update(lag, seconds);
    if (!Double.isNaN(ackPending) || partition.isEmpty()) {
      this.ackPending = ackPending;
    }
  }

  public void queueDepth(long messages, long bytes) {
    this.queueMessages = messages;
    this.queueBytes = bytes;
  }

  public void processedSuccessfully(long nowMillis) {
    lastSuccessMillis = nowMillis;
  }

  public void subscriptionStarted(long nowMillis) {
    synchronized (subscriptionsLock) {
      if (running == 0) {
        sinceMillis = nowMillis;
      }
      running++;
      seenSubscription = true;
    }
  }

  public void subscriptionEnded() {
    synchronized (subscriptionsLock) {
      running = Math.max(0, running - 1);
      seenSubscription = true;
    }
  }

  /** Total lag over partitions; NaN while any partition is unknown or none was measured. */
  public double lag() {
    if (partitions.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (Partition p : partitions.values()) {
      if (Double.isNaN(p.lag)) {
        return Double.NaN;
      }
      sum += p.lag;
    }
    return sum;
  }

  /** The largest lag in seconds over partitions; NaN while any partition is unknown. */
  public double lagSeconds() {
    if (partitions.isEmpty()) {
      return Double.NaN;
    }
    double max = 0;
    for (Partition p : partitions.values()) {
      if (Double.isNaN(p.seconds)) {
        return Double.NaN;
      }
      max = Math.max(max, p.seconds);
    }
    return max;
  }

  /** One partition's lag, NaN when unknown. */
  public double partitionLag(String partition) {
    Partition p = partitions.get(partition);
    return p == null ? Double.NaN : p.lag;
  }

  public double ackPending() {
    return ackPending;
  }

  public double queueMessages() {
    return queueMessages;
  }

  public double queueBytes() {
    return queueBytes;
  }

  /** Seconds since the epoch of the last successful processing, NaN before the first. */
  public double lastSuccessSeconds() {
    long last = lastSuccessMillis;
    return last < 0 ? Double.NaN : last / 1000.0;
  }

  /** The group's status now (Burrow-like; see {@link ConsumerStatus}). */
  public ConsumerStatus status(long nowMillis, long stallAfterMillis) {
    synchronized (subscriptionsLock) {
      if (seenSubscription && running == 0) {
        return ConsumerStatus.STOPPED;
      }
    }
    double lag = lag();
    if (Double.isNaN(lag) || lag <= 0) {
      return ConsumerStatus.OK;
    }
    long lastProgress = Math.max(lastSuccessMillis, sinceMillis);
    if (nowMillis - lastProgress > stallAfterMillis) {
      return ConsumerStatus.STALLED;
    }
    for (Partition p : partitions.values()) {
      if (p.growing()) {
        return ConsumerStatus.WARN;
      }
    }
    return ConsumerStatus.OK;
  }
}
