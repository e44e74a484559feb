/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi.probe;

import dev.baton.transport.internal.SharedSchedule;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A transport's probe (backlog, queue depth) off the message path, on threads shared by every agent
 * of the process ({@link SharedSchedule}: at most two per kind of probe, however many agents run):
 * the task runs every interval after the previous run ended, so a slow probe only delays the next.
 * The transport owns it and closes it.
 */
public final class ProbeSchedule implements AutoCloseable {

  private final @Nullable SharedSchedule schedule;

  private ProbeSchedule(@Nullable SharedSchedule schedule) {
    this.schedule = schedule;
  }

  /** {@return a schedule that runs nothing} */
  public static ProbeSchedule none() {
    return new ProbeSchedule(null);
  }

  /**
   * Runs {@code task} every {@code interval} on the shared threads named {@code threadName}-n (one
   * name per kind of probe, not per agent); ZERO: never.
   *
   * @param threadName the threads' name
   * @param interval the time between two runs
   * @param task the task
   * @return the schedule; close it to stop the task
   */
  public static ProbeSchedule start(String threadName, Duration interval, Runnable task) {
    Objects.requireNonNull(task, "task");
    if (interval.isZero()) {
      return new ProbeSchedule(null);
    }
    return new ProbeSchedule(SharedSchedule.withFixedDelay(threadName, interval, task));
  }

  /** Stops the probe and waits up to 10 s for a run in progress to end. Idempotent. */
  @Override
  public void close() {
    if (schedule != null) {
      schedule.close();
    }
  }
}
