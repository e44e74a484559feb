/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the broker confirmed about a published message.
 *
 * @param destination the subject or topic
 * @param messageId the id the message was sent with
 * @param partition where the broker stored it (the JetStream stream, the Kafka partition), or
 *     {@code null} when the broker stores nothing (core NATS)
 * @param sequence the broker's position for it (stream sequence, offset), or -1 when there is none
 * @param duplicate whether the broker recognised the id and dropped the message as a duplicate
 */
public record PublishReceipt(
    String destination,
    String messageId,
    @Nullable String partition,
    long sequence,
    boolean duplicate) {

  /**
   * Checks the arguments.
   *
   * @param destination the subject or topic
   * @param messageId the id the message was sent with
   * @param partition where the broker stored it (the JetStream stream, the Kafka partition), or
   *     {@code null} when the broker stores nothing (core NATS)
   * @param sequence the broker's position for it (stream sequence, offset), or -1 when there is
   *     none
   * @param duplicate whether the broker recognised the id and dropped the message as a duplicate
   */
  public PublishReceipt {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(messageId, "messageId");
  }
}
