/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

import org.jspecify.annotations.Nullable;

/**
 * Receives messages for an agent: each is handled inside a CONSUMER span that continues the
 * sender's trace, with the sender's baggage current. Thread-safe; the returned subscriptions are
 * the caller's to close.
 */
public interface Subscriber {

  /**
   * Handles every message published to {@code destination}.
   *
   * @param group a queue or consumer group: the members of one group share the messages, each
   *     message going to one of them; {@code null} for none
   */
  Subscription subscribe(String destination, @Nullable String group, MessageHandler handler);

  /** {@link #subscribe(String, String, MessageHandler)} without a group. */
  default Subscription subscribe(String destination, MessageHandler handler) {
    return subscribe(destination, null, handler);
  }

  /**
   * Answers requests sent to {@code destination} with {@link Publisher#request}: the responder's
   * handling is a child of the requester's span, and the reply travels in the same trace.
   *
   * @param group a queue group that shares the requests, or {@code null}
   */
  Subscription respond(String destination, @Nullable String group, Responder responder);
}
