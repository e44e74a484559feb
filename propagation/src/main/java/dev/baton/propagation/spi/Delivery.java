/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a transport tells the engine about a message it received; the engine reads everything else
 * (context, message id, sender) from the headers.
 *
 * <p>The engine reads a delivery only while {@link MessagingEngine#deliver} runs and keeps nothing
 * of it after, so a transport may hand it an object of its own that it reuses from message to
 * message on one thread (Kafka's subscription hands it the attempt that holds the record: no object
 * per record). {@link #of} makes a fixed one.
 */
public interface Delivery {

  /** {@return the subject or topic, never {@code null}} */
  String destination();

  /** {@return the queue or consumer group, empty for none, never {@code null}} */
  String group();

  /** {@return the payload bytes (not copied), never {@code null}} */
  byte[] payload();

  /** {@return where a reply goes, or {@code null}} */
  @Nullable String replyTo();

  /**
   * 1 on the first delivery (the engine reads anything lower as 1).
   *
   * @return the delivery count
   */
  int deliveryCount();

  /** {@return a low-cardinality name for a temporary or per-agent destination, or {@code null}} */
  @Nullable String destinationTemplate();

  /** {@return whether the destination is temporary (a reply inbox)} */
  boolean temporary();

  /**
   * Broker-specific span attributes, or {@code null}.
   *
   * @return the broker's span attributes, or {@code null}
   */
  @Nullable SpanDetail detail();

  /** {@return the low-cardinality name of the destination: the template when there is one} */
  default String lowCardinalityDestination() {
    String template = destinationTemplate();
    return template != null ? template : destination();
  }

  /**
   * {@return a first delivery with no reply address, no template and no broker attributes}
   *
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param payload the payload bytes
   */
  static Delivery of(String destination, String group, byte[] payload) {
    return new Fixed(destination, group, payload, null, 1, null, false, null);
  }

  /**
   * {@return a delivery with these parts (see {@link Fixed})}
   *
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param payload the payload bytes
   * @param replyTo where a reply goes, or {@code null}
   * @param deliveryCount 1 on the first delivery
   * @param destinationTemplate the destination's low-cardinality name, or {@code null}
   * @param temporary whether the destination is temporary
   * @param detail the broker's span attributes, or {@code null}
   */
  static Delivery of(
      String destination,
      String group,
      byte[] payload,
      @Nullable String replyTo,
      int deliveryCount,
      @Nullable String destinationTemplate,
      boolean temporary,
      @Nullable SpanDetail detail) {
    return new Fixed(
        destination,
        group,
        payload,
        replyTo,
        deliveryCount,
        destinationTemplate,
        temporary,
        detail);
  }

  /**
   * A delivery whose parts are fixed when it is made.
   *
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param payload the payload bytes (not copied)
   * @param replyTo where a reply goes, or {@code null}
   * @param deliveryCount 1 on the first delivery
   * @param destinationTemplate a low-cardinality name for a temporary or per-agent destination, or
   *     {@code null}
   * @param temporary whether the destination is temporary (a reply inbox)
   * @param detail broker-specific span attributes, or {@code null}
   */
  record Fixed(
      String destination,
      String group,
      byte[] payload,
      @Nullable String replyTo,
      int deliveryCount,
      @Nullable String destinationTemplate,
      boolean temporary,
      @Nullable SpanDetail detail)
      implements Delivery {

    /**
     * Checks the arguments.
     *
     * @param destination the subject or topic
     * @param group the queue or consumer group, empty for none
     * @param payload the payload bytes (not copied)
     * @param replyTo where a reply goes, or {@code null}
     * @param deliveryCount 1 on the first delivery
     * @param destinationTemplate a low-cardinality name for a temporary or per-agent destination,
     *     or {@code null}
     * @param temporary whether the destination is temporary (a reply inbox)
     * @param detail broker-specific span attributes, or {@code null}
     */
    public Fixed {
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(payload, "payload");
      deliveryCount = Math.max(1, deliveryCount);
    }
  }
}
