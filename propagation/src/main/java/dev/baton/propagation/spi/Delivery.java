package dev.baton.propagation.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a transport tells the engine about a message it received; the engine reads everything else
 * (context, message id, sender) from the headers.
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
public record Delivery(
    String destination,
    String group,
    byte[] payload,
    @Nullable String replyTo,
    int deliveryCount,
    @Nullable String destinationTemplate,
    boolean temporary,
    @Nullable SpanDetail detail) {

  /** Checks the arguments. */
  public Delivery {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(payload, "payload");
    deliveryCount = Math.max(1, deliveryCount);
  }

  /** A first delivery with no reply address, no template and no broker attributes. */
  public static Delivery of(String destination, String group, byte[] payload) {
    return new Delivery(destination, group, payload, null, 1, null, false, null);
  }

  /** The low-cardinality name of the destination: the template when there is one. */
  public String lowCardinalityDestination() {
    return destinationTemplate != null ? destinationTemplate : destination;
  }
}
