/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

import java.time.Duration;

/** A running subscription. Thread-safe. The caller owns it and closes it. */
public interface Subscription extends AutoCloseable {

  /** {@return the subject or topic this subscription receives from} */
  String destination();

  /** {@return the queue or consumer group, or the empty string when there is none} */
  String group();

  /**
   * Waits until this subscription is sure to receive what is published from now on (the broker
   * registered it; on Kafka, the group gave it its partitions). Returns whether that happened
   * within {@code timeout}.
   *
   * @param timeout the longest to wait
   * @return whether the subscription was ready in time
   * @throws InterruptedException when interrupted while waiting
   */
  default boolean awaitReady(Duration timeout) throws InterruptedException {
    return true;
  }

  /**
   * Stops receiving, lets messages already delivered to this process finish their handlers, then
   * releases the subscription. Waits at most {@code timeout}; returns whether the drain finished in
   * time. Idempotent.
   *
   * @param timeout the longest to wait
   * @return whether the drain finished in time
   */
  boolean drain(Duration timeout);

  /** {@link #drain(Duration)} with a default timeout of 10 seconds. */
  @Override
  void close();
}
