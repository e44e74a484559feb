/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health.internal;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/** Not API: the process's own CPU and memory, for health responses. */
public final class ResourceUsage {

  private ResourceUsage() {}

  /** Recent CPU use of this process, 0-100 (NaN when the JVM cannot tell). */
  public static double cpuUsagePercent() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      double load = os.getProcessCpuLoad();
      return load < 0 ? Double.NaN : round(load * 100);
    }
    return Double.NaN;
  }

  /** Heap in use, MiB. */
  public static double memoryUsageMb() {
    return round(heap().getUsed() / 1048576.0);
  }

  /** Heap still available (max, or committed when unbounded, minus used), MiB. */
  public static double memoryAvailableMb() {
    MemoryUsage heap = heap();
    long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
    return round((max - heap.getUsed()) / 1048576.0);
  }

  private static MemoryUsage heap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
