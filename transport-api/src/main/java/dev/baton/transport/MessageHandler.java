/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

/**
 * Agent code that handles one message.
 *
 * <p>Returning normally means the message was handled: Baton acknowledges it where the broker has
 * acknowledgements. Throwing means it was not: Baton negatively acknowledges it (the broker
 * redelivers) where the broker has acknowledgements, records the exception on the span, and then
 * lets the same exception go on as it would without Baton. The trace context and baggage of the
 * message are current while this runs, so spans the agent starts nest under the process span.
 */
@FunctionalInterface
public interface MessageHandler {

  /**
   * Handles one message. Called on the subscription's delivery thread.
   *
   * @param message the message
   * @throws Exception to have the message count as failed: its span records the exception and, on
   *     the durable path, the broker redelivers it
   */
  void handle(Message message) throws Exception;
}
