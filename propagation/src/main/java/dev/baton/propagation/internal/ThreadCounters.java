/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Not API: the JVM's per-thread counters for what one handler call cost, read before and after it:
 * CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime}) and allocated bytes ({@code
 * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}). Each is -1 where the JVM does
 * not support it or has it switched off, never a made-up value. Thread-safe, stateless.
 */
public final class ThreadCounters {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.ThreadMXBean SUN_THREADS =
      THREADS instanceof com.sun.management.ThreadMXBean sun ? sun : null;
  private static final boolean CPU = cpuSupported();
  private static final boolean ALLOCATIONS = allocationsSupported();

  private ThreadCounters() {}

  /** Whether this JVM measures per-thread CPU time. */
  public static boolean measuresCpu() {
    return CPU;
  }

  /** Whether this JVM measures per-thread allocations. */
  public static boolean measuresAllocations() {
    return ALLOCATIONS;
  }

  /** The current thread's CPU time so far in nanoseconds, or -1. */
  public static long cpuNanos() {
    return CPU ? THREADS.getCurrentThreadCpuTime() : -1;
  }

  /** The bytes the current thread allocated so far, or -1. */
  public static long allocatedBytes() {
    return ALLOCATIONS ? SUN_THREADS.getCurrentThreadAllocatedBytes() : -1;
  }

  /** {@code after - before}, or -1 when either is unknown or the counter went backwards. */
  public static long delta(long before, long after) {
    return before < 0 || after < before ? -1 : after - before;
  }

  private static boolean cpuSupported() {
    try {
      return THREADS.isCurrentThreadCpuTimeSupported()
          && THREADS.isThreadCpuTimeEnabled()
          && THREADS.getCurrentThreadCpuTime() >= 0;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static boolean allocationsSupported() {
    try {
      return SUN_THREADS != null
          && SUN_THREADS.isThreadAllocatedMemorySupported()
          && SUN_THREADS.isThreadAllocatedMemoryEnabled()
          && SUN_THREADS.getCurrentThreadAllocatedBytes() >= 0;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
