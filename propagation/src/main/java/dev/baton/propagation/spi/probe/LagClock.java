/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi.probe;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Consumer lag in seconds, one model for every broker. For transport probes, not agent code.
 *
 * <p>Exact where it is cheap: the age of the oldest message the consumer has not yet acknowledged
 * or committed ({@link #exactSeconds}). Otherwise estimated like kafka-lag-exporter: the probe
 * records where the end of the log was at each sample ({@link #recordEnd}), and the lag of a
 * consumer at position {@code p} is how long ago the end passed {@code p}, interpolated linearly
 * between the two samples around it. A caught-up consumer reads 0, however long ago the last
 * message arrived. A position older than the oldest sample is not extrapolated: the estimate is the
 * age of the oldest sample, a lower bound, so replaying a log from the start never yields an absurd
 * value. The error of the estimate is at most the sampling interval around the position.
 *
 * <p>One instance per partition (or stream consumer). Thread-safe.
 */
public final class LagClock {

  private final int maxSamples;
  private final Deque<long[]> samples = new ArrayDeque<>();
  private final Object lock = new Object();

  /**
   * A history of at most {@code maxSamples} (position, time) samples.
   *
   * @param maxSamples the most samples kept, at least 2
   */
  public LagClock(int maxSamples) {
    if (maxSamples < 2) {
      throw new IllegalArgumentException("maxSamples must be at least 2, was " + maxSamples);
    }
    this.maxSamples = maxSamples;
  }

  /**
   * Seconds between a message's timestamp and now, never negative.
   *
   * @param messageEpochMillis the message's timestamp
   * @param nowEpochMillis now
   * @return the seconds between them, 0 or more
   */
  public static double exactSeconds(long messageEpochMillis, long nowEpochMillis) {
    return Math.max(0, nowEpochMillis - messageEpochMillis) / 1000.0;
  }

  /**
   * Records that the end of the log was at {@code endPosition} (the next offset) at that time.
   *
   * @param endPosition the end of the log
   * @param epochMillis when it was there
   */
  public void recordEnd(long endPosition, long epochMillis) {
    synchronized (lock) {
      long[] last = samples.peekLast();
      if (last != null && endPosition < last[0]) {
        samples.clear(); // the log was truncated or recreated: start over
      }
      if (last != null && last[0] == endPosition && samples.size() > 1) {
        // No progress since the last sample: keep the time the end first reached this position.
        return;
      }
      samples.addLast(new long[] {endPosition, epochMillis});
      while (samples.size() > maxSamples) {
        samples.removeFirst();
      }
    }
  }

  /**
   * {@return the estimated lag in seconds of a consumer whose next message is at {@code position}:
   * 0 when it is at or past the last recorded end, {@link Double#NaN} with no history}
   *
   * @param position the consumer's next position
   * @param nowEpochMillis now
   */
  public double estimateSeconds(long position, long nowEpochMillis) {
    synchronized (lock) {
      long[] last = samples.peekLast();
      if (last == null) {
        return Double.NaN;
      }
      if (position >= last[0]) {
        return 0;
      }
      // The message at `position` was appended when the end moved past it.
      long target = position + 1;
      long[] before = null;
      for (long[] sample : samples) {
        if (sample[0] >= target) {
          if (before == null) {
            return Math.max(0, nowEpochMillis - sample[1])
                / 1000.0; // lower bound: no extrapolation
          }
          double fraction = (double) (target - before[0]) / (sample[0] - before[0]);
          double appendedAt = before[1] + fraction * (sample[1] - before[1]);
          return Math.max(0, nowEpochMillis - appendedAt) / 1000.0;
        }
        before = sample;
      }
      return 0;
    }
  }
}
