/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends messages from an agent, with the current trace context and baggage attached. Thread-safe.
 *
 * <p>A broker failure is the broker client's own exception, unchanged: thrown from {@code publish}
 * or completing the returned future. A failure inside Baton's instrumentation never is: it is
 * reported to the {@link TransportListener} and the message is sent anyway.
 */
public interface Publisher {

  /**
   * Sends {@code payload} to {@code destination}, fire-and-forget.
   *
   * @param destination the subject or topic
   * @param payload the payload bytes
   */
  default void publish(String destination, byte[] payload) {
    publish(OutboundMessage.of(destination, payload));
  }

  /**
   * Sends a message. The future completes when the broker has acknowledged it (JetStream, Kafka),
   * or at once after handing it to the client where the broker has no acknowledgements (core NATS).
   * It completes exceptionally with the broker client's exception on failure.
   *
   * @param message the message to send
   * @return a future of the broker's receipt
   */
  CompletableFuture<PublishReceipt> publish(OutboundMessage message);

  /**
   * Sends a request and waits, without blocking the caller, for one reply. The future completes
   * with the reply; exceptionally with a {@link java.util.concurrent.TimeoutException} when {@code
   * timeout} passes with no reply, or with the broker client's own exception when the broker says
   * nobody is listening. The reply continues the requester's trace.
   *
   * @param message the request
   * @param timeout how long to wait for the reply
   * @return a future of the reply
   */
  CompletableFuture<Message> request(OutboundMessage message, Duration timeout);

  /**
   * {@link #request(OutboundMessage, Duration)} for a payload with no headers.
   *
   * @param destination the subject or topic
   * @param payload the payload bytes
   * @param timeout how long to wait for the reply
   * @return a future of the reply
   */
  default CompletableFuture<Message> request(String destination, byte[] payload, Duration timeout) {
    return request(OutboundMessage.of(destination, payload), timeout);
  }
}
