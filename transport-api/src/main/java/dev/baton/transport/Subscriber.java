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
   * @param destination the subject or topic; NATS wildcards allowed on NATS
   * @param group a queue or consumer group: the members of one group share the messages, each
   *     message going to one of them; {@code null} for none
   * @param handler handles each message
   * @return the subscription
   */
  Subscription subscribe(String destination, @Nullable String group, MessageHandler handler);

  /**
   * {@link #subscribe(String, String, MessageHandler)} without a group.
   *
   * @param destination the subject or topic
   * @param handler handles each message
   * @return the subscription
   */
  default Subscription subscribe(String destination, MessageHandler handler) {
    return subscribe(destination, null, handler);
  }

  /**
   * Answers requests sent to {@code destination} with {@link Publisher#request}: the responder's
   * handling is a child of the requester's span, and the reply travels in the same trace.
   *
   * @param destination the subject or topic
   * @param group a queue group that shares the requests, or {@code null}
   * @param responder answers each request
   * @return the subscription
   */
  Subscription respond(String destination, @Nullable String group, Responder responder);
}
