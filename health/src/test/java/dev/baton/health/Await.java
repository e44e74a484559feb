/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline. The testing kit's {@code Await} depends on this module, so
 * its tests keep this small copy of {@code until}.
 */
final class Await {

  private Await() {}

  /** Polls until {@code condition} holds; fails with {@code what} after 20 s. */
  static void until(String what, BooleanSupplier condition) {
    Duration timeout = Duration.ofSeconds(20);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
