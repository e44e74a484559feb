/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import java.time.Duration;
import java.util.Collection;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, instead of sleeping. */
public final class Await {

  /** How long {@link #until(String, BooleanSupplier)} polls before it fails: 20 s. */
  public static final Duration DEFAULT = Duration.ofSeconds(20);

  private Await() {}

  /**
   * Polls until {@code condition} holds; fails with {@code what} after {@link #DEFAULT}.
   *
   * @param what what is awaited, for the failure message
   * @param condition the condition to poll
   */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }

  /**
   * Polls until {@code condition} holds; fails with {@code what} after {@code timeout}.
   *
   * @param what what is awaited, for the failure message
   * @param timeout the longest to poll
   * @param condition the condition to poll
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
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

  /**
   * For a test that checks that something does <em>not</em> happen: polls {@code holds} for the
   * whole bounded {@code window} and fails at once when it stops holding. Passing says only that it
   * held for that long; the window is the claim, so name it in the test.
   *
   * @param what what must keep holding, for the failure message
   * @param window how long to watch
   * @param holds the condition that must hold throughout
   */
  public static void during(String what, Duration window, BooleanSupplier holds) {
    long deadline = System.nanoTime() + window.toNanos();
    do {
      if (!holds.getAsBoolean()) {
        throw new AssertionError("no longer true within " + window + ": " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while checking " + what, e);
      }
    } while (System.nanoTime() < deadline);
    if (!holds.getAsBoolean()) {
      throw new AssertionError("no longer true at the end of " + window + ": " + what);
    }
  }

  /**
   * Polls until {@code value} yields at least {@code size} elements.
   *
   * @param <T> the collection's type
   * @param what what is awaited, for the failure message
   * @param size the least number of elements
   * @param value yields the collection to poll
   * @return the collection, once it is big enough
   */
  public static <T extends Collection<?>> T size(String what, int size, Supplier<T> value) {
    until(what + " (" + size + ")", () -> value.get().size() >= size);
    return value.get();
  }
}
