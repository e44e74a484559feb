/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

/**
 * How handling a message ended. On brokers with acknowledgements this is what Baton told the
 * broker; on brokers without (core NATS) it records whether the handler returned or threw.
 */
public enum Outcome {
  /** The handler returned: the message was acknowledged. */
  ACK,
  /** The handler threw: the message was negatively acknowledged, to be redelivered. */
  NAK,
  /**
   * The handler threw and the message was given up on: sent to the dead-letter destination (Kafka's
   * failure policy), or terminated after its last allowed delivery (JetStream). It is not
   * redelivered to this consumer. (Not to be confused with a {@link RejectionReason}: a propagated
   * context Baton refused.)
   */
  DEAD_LETTERED,
  /**
   * The handler ran past the agent's maximum handler time: Baton gave the message up the way the
   * broker expects (JetStream: a nak, or a term on the last allowed delivery; Kafka: the record's
   * failure policy) while the handler still ran, and set aside how it ended.
   */
  ABANDONED,
  /**
   * Baton did not call the handler: the message broke the agent's conversation policy (no
   * conversation id where one is required, over the conversation's budget, closing a loop where the
   * agent breaks loops). It was settled as a message that must not come back: JetStream terminated
   * it, Kafka sent it to the failure policy's dead-letter topic (with the reason in {@code
   * baton-refused}) or else skipped it, core NATS dropped it; a request was answered with an empty
   * reply carrying the reason in {@code baton-refused}.
   */
  REFUSED
}
