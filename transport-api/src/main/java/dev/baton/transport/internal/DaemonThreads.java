/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Not API: Baton's background threads (probes, poll loops, health checks, HTTP servers) are daemons
 * with a name that says what they do, so they never keep a JVM alive and a thread dump tells them
 * apart.
 */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** A factory of daemon threads all named {@code name}. */
  public static ThreadFactory named(String name) {
    Objects.requireNonNull(name, "name");
    return task -> create(name, task);
  }

  /** A daemon thread named {@code name} that runs {@code task}, not yet started. */
  public static Thread create(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
