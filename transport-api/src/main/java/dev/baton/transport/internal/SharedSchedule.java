/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Not API: one periodic task (a backlog probe, a connection watch, a heartbeat) on threads every
 * agent of the process shares. A process hosting a hundred agents runs their periodic work on the
 * same few threads as one agent's: each kind of task has a pool of at most {@value #THREADS} daemon
 * threads named {@code <kind>-<n>}, started on demand and ended after {@value #IDLE_SECONDS} s
 * without a task, so a process with no agent left has none. Two threads per kind so one slow run (a
 * broker call waiting for its timeout) does not hold up the other agents'.
 */
public final class SharedSchedule implements AutoCloseable {

  static final int THREADS = 2;
  static final int IDLE_SECONDS = 10;

  private static final Map<String, ScheduledThreadPoolExecutor> POOLS = new ConcurrentHashMap<>();

  private final ReentrantLock running = new ReentrantLock();
  private final Runnable task;
  private volatile boolean closed;
  private final ScheduledFuture<?> future;

  private SharedSchedule(
      String kind, Duration interval, boolean runNow, boolean fixedRate, Runnable task) {
    this.task = Objects.requireNonNull(task, "task");
    long millis = Math.max(1, interval.toMillis());
    ScheduledThreadPoolExecutor pool = POOLS.computeIfAbsent(kind, SharedSchedule::pool);
    long first = runNow ? 0 : millis;
    this.future =
        fixedRate
            ? pool.scheduleAtFixedRate(this::runOnce, first, millis, TimeUnit.MILLISECONDS)
            : pool.scheduleWithFixedDelay(this::runOnce, first, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code task} every {@code interval}, the first time one interval from now, each run an
   * interval after the previous one ended (a slow run only delays the next).
   */
  public static SharedSchedule withFixedDelay(String kind, Duration interval, Runnable task) {
    return new SharedSchedule(kind, interval, false, false, task);
  }

  /** Runs {@code task} now and then every {@code interval} (a late run is not made up twice). */
  public static SharedSchedule atFixedRate(String kind, Duration interval, Runnable task) {
    return new SharedSchedule(kind, interval, true, true, task);
  }

  private static ScheduledThreadPoolExecutor pool(String kind) {
    ThreadFactoryWithCount threads = new ThreadFactoryWithCount(kind);
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(THREADS, threads::newThread);
    pool.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
    pool.allowCoreThreadTimeOut(true);
    pool.setRemoveOnCancelPolicy(true);
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return pool;
  }

  private void runOnce() {
    if (closed) {
      return;
    }
    running.lock();
    try {
      if (!closed) {
        task.run();
      }
    } catch (RuntimeException e) {
      // A periodic task catches and counts its own failures; one that escapes must not cancel
      // the schedule (the executor would never run it again), nor reach the other agents' tasks.
    } finally {
      running.unlock();
    }
  }

  /**
   * Stops the task: no run starts after this returns, and a run in progress (interrupted) is waited
   * for up to 10 s. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    future.cancel(true);
    try {
      if (running.tryLock(10, TimeUnit.SECONDS)) {
        running.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Threads in the shared pools alive now (for tests and the bench). */
  public static int threads() {
    int count = 0;
    for (ScheduledThreadPoolExecutor pool : POOLS.values()) {
      count += pool.getPoolSize();
    }
    return count;
  }

  private static final class ThreadFactoryWithCount {
    private final String kind;
    private final AtomicInteger count = new AtomicInteger();

    ThreadFactoryWithCount(String kind) {
      this.kind = kind;
    }

    Thread newThread(Runnable runnable) {
      return DaemonThreads.create(kind + "-" + count.incrementAndGet(), runnable);
    }
  }
}
