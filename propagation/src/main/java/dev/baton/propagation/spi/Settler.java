/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.transport.Outcome;

/**
 * A transport's way to settle one delivery with the broker. Exceptions are the broker client's own.
 */
public interface Settler {

  /**
   * Acknowledges the message.
   *
   * @throws Exception when the broker call fails; the engine counts it
   */
  void ack() throws Exception;

  /**
   * Negatively acknowledges the message, asking for redelivery.
   *
   * @throws Exception when the broker call fails; the engine counts it
   */
  void nak() throws Exception;

  /**
   * {@return how a failed delivery ended, asked after {@link #nak()}: {@link Outcome#NAK}
   * (redelivered) by default, {@link Outcome#DEAD_LETTERED} when the transport gave up on the
   * message}
   */
  default Outcome failureOutcome() {
    return Outcome.NAK;
  }

  /**
   * {@return how long the broker keeps a delivered message for this consumer before it gives the
   * message to another (JetStream's ack wait; Kafka's {@code max.poll.interval.ms}), or 0 (the
   * default) when it never does: while the handler runs, the engine calls {@link #extend} every
   * third of it}
   */
  default long holdNanos() {
    return 0;
  }

  /**
   * Tells the broker the handler is still working on the message (JetStream: an in-progress
   * acknowledgement; Kafka: a poll with the partitions paused). Called on Baton's watch thread,
   * never the handler's, while the handler runs; it must not wait long.
   *
   * @throws Exception when the broker call fails; the engine counts it
   */
  default void extend() throws Exception {}

  /**
   * Gives the message up past the agent's maximum handler time, while the handler still runs: the
   * way the broker expects a failed delivery to end ({@link #nak} by default). Called on Baton's
   * watch thread; afterwards the engine neither acks nor naks the message.
   *
   * @throws Exception when the broker call fails; the engine counts it
   */
  default void giveUp() throws Exception {
    nak();
  }

  /**
   * Settles a message the engine refused by the agent's conversation policy (the handler was not
   * called) so that it does not come back: the broker's way to drop a message for good (JetStream:
   * term; Kafka: the dead-letter topic with {@code reason}). {@link #ack} by default.
   *
   * @param reason the refusal's reason
   * @throws Exception when the broker call fails; the engine counts it
   */
  default void refuse(String reason) throws Exception {
    ack();
  }

  /**
   * For brokers without acknowledgements.
   *
   * @return a settler that does nothing
   */
  static Settler none() {
    return NoSettle.INSTANCE;
  }
}

final class NoSettle implements Settler {
  static final NoSettle INSTANCE = new NoSettle();

  @Override
  public void ack() {}

  @Override
  public void nak() {}
}
