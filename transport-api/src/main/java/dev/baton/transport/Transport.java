/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

/**
 * One agent's way onto the bus, whatever the broker: what {@code NatsBaton} and {@code KafkaBaton}
 * are to agent code. Code written against this type changes broker by changing the line that
 * creates it. Thread-safe.
 *
 * <p>Two paths: the plain one ({@link #publisher()}, {@link #subscriber()}) and the durable one
 * ({@link #durablePublisher()}, {@link #durableSubscriber()}), where the broker keeps each message
 * until a handler has succeeded, redelivers it after a handler that threw, and dead-letters it
 * after the last allowed attempt. On Kafka both paths are the same (every topic is durable); on
 * NATS the plain path is core NATS and the durable one is JetStream.
 *
 * <p>Observers (metrics, cost accounting) are not attached here but to the {@code Baton} the
 * transport is created from, so that one listener hears every transport of the agent.
 */
public interface Transport extends AutoCloseable {

  /**
   * Where agents' heartbeats travel, on NATS and Kafka alike: Baton's housekeeping, sent without
   * trace context and never traced unless asked.
   */
  String HEARTBEATS = "baton.heartbeats";

  /** {@return the name of the agent this transport sends for: its {@code Baton}'s} */
  String agentName();

  /**
   * {@return the id of the agent this transport sends for: its {@code Baton}'s, unique per
   * instance}
   */
  String agentId();

  /**
   * Sends messages, with the current trace context and baggage attached.
   *
   * @return the publisher
   */
  Publisher publisher();

  /**
   * Receives messages, each handled inside a span that continues the sender's trace.
   *
   * @return the subscriber
   */
  Subscriber subscriber();

  /**
   * Sends onto the durable path: each publish completes when the broker has stored the message. The
   * same publisher as {@link #publisher()} where the broker stores every message (Kafka).
   *
   * @return the durable path's publisher
   */
  Publisher durablePublisher();

  /**
   * Receives from the durable path: a handler that returns acknowledges the message, one that
   * throws has it redelivered, and the last allowed attempt dead-letters it. The same subscriber as
   * {@link #subscriber()} where the broker stores every message (Kafka). Request/reply runs on the
   * plain path.
   *
   * @return the durable path's subscriber
   */
  Subscriber durableSubscriber();

  /**
   * Drains every subscription made through this transport, waiting up to its drain timeout for
   * each, then releases what it holds; the broker connection or client given to it stays the
   * caller's. Idempotent.
   */
  @Override
  void close();
}
