package dev.baton.propagation;

import io.opentelemetry.api.common.Attributes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a transport tells the engine about a message it received. For transport modules.
 *
 * @param destination the subject or topic
 * @param group the queue or consumer group, empty for none
 * @param messageId the message id the broker or sender gave, or {@code null} to generate one
 * @param payload the payload bytes (not copied)
 * @param replyTo where a reply goes, or {@code null}
 * @param deliveryCount 1 on the first delivery
 * @param destinationTemplate a low-cardinality name for a temporary destination, or {@code null}
 * @param temporary whether the destination is temporary (a reply inbox)
 * @param attributes broker-specific span attributes
 */
public record Delivery(
    String destination,
    String group,
    @Nullable String messageId,
    byte[] payload,
    @Nullable String replyTo,
    int deliveryCount,
    @Nullable String destinationTemplate,
    boolean temporary,
    Attributes attributes) {

  /** Checks the arguments. */
  public Delivery {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(attributes, "attributes");
    deliveryCount = Math.max(1, deliveryCount);
  }

  /** A first delivery with no reply address, no template and no extra attributes. */
  public static Delivery of(
      String destination, String group, @Nullable String messageId, byte[] payload) {
    return new Delivery(
        destination, group, messageId, payload, null, 1, null, false, Attributes.empty());
  }

  /** This delivery with a reply address. */
  public Delivery withReplyTo(@Nullable String replyTo) {
    return new Delivery(
        destination,
        group,
        messageId,
        payload,
        replyTo,
        deliveryCount,
        destinationTemplate,
        temporary,
        attributes);
  }

  /** This delivery with a delivery count. */
  public Delivery withDeliveryCount(int deliveryCount) {
    return new Delivery(
        destination,
        group,
        messageId,
        payload,
        replyTo,
        deliveryCount,
        destinationTemplate,
        temporary,
        attributes);
  }

  /** This delivery on a temporary destination whose low-cardinality name is {@code template}. */
  public Delivery withTemporary(String template) {
    return new Delivery(
        destination, group, messageId, payload, replyTo, deliveryCount, template, true, attributes);
  }

  /** This delivery with broker-specific span attributes. */
  public Delivery withAttributes(Attributes attributes) {
    return new Delivery(
        destination,
        group,
        messageId,
        payload,
        replyTo,
        deliveryCount,
        destinationTemplate,
        temporary,
        attributes);
  }
}
