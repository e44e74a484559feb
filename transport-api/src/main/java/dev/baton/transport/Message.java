package dev.baton.transport;

import dev.baton.transport.internal.ReadOnlyHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message as a handler receives it.
 *
 * <p>The payload array is handed over as the broker client delivered it, without a copy: treat it
 * as read-only. Headers are an unmodifiable view in which a header sent several times shows its
 * last value (the rule every Baton transport follows).
 *
 * @param destination the subject or topic the message was published to
 * @param headers the message headers, last value per name, unmodifiable
 * @param payload the payload bytes, never {@code null} (empty when the message had none)
 * @param id the message id; a generated one when the sender set none
 * @param sender the name of the agent that sent it, or {@code null} when the sender is not a Baton
 *     agent
 * @param replyTo where a reply goes, or {@code null} when the sender expects none
 * @param deliveryCount how often the broker has delivered this message, 1 on the first delivery
 *     (always 1 on brokers without redelivery)
 */
public record Message(
    String destination,
    Map<String, String> headers,
    byte[] payload,
    String id,
    @Nullable String sender,
    @Nullable String replyTo,
    int deliveryCount) {

  /** Checks the arguments and makes the headers unmodifiable. */
  public Message {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(headers, "headers");
    if (!(headers instanceof ReadOnlyHeaders)) {
      headers = Map.copyOf(headers);
    }
    if (deliveryCount < 1) {
      throw new IllegalArgumentException("deliveryCount must be at least 1, was " + deliveryCount);
    }
  }

  /** The payload decoded as UTF-8. */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** Whether the broker delivered this message before (a redelivery after a nak or timeout). */
  public boolean isRedelivery() {
    return deliveryCount > 1;
  }

  @Override
  public String toString() {
    // Never the payload or header values: they may carry user data.
    return "Message[destination="
        + destination
        + ", id="
        + id
        + ", sender="
        + sender
        + ", bytes="
        + payload.length
        + ", deliveryCount="
        + deliveryCount
        + "]";
  }
}
