package dev.baton.transport;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message to publish: destination, payload and the optional parts.
 *
 * <p>Build one with {@link #of(String, byte[])} and the {@code with...} methods; each returns a new
 * instance. The payload array is not copied.
 *
 * @param destination the subject or topic
 * @param payload the payload bytes
 * @param headers application headers to send along, unmodifiable; Baton's own headers (W3C trace
 *     context, baggage, {@code baton-*}) replace any of the same name
 * @param id the message id, or {@code null} to let Baton generate one; brokers that deduplicate
 *     (JetStream) use it to drop a retried publish
 * @param key the partitioning key, or {@code null}; brokers without keys ignore it
 */
public record OutboundMessage(
    String destination,
    byte[] payload,
    Map<String, String> headers,
    @Nullable String id,
    @Nullable String key) {

  /** Checks the arguments and makes the headers unmodifiable. */
  public OutboundMessage {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(payload, "payload");
    headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    if (destination.isEmpty()) {
      throw new IllegalArgumentException("destination must not be empty");
    }
    if (id != null && id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty; pass null to generate one");
    }
  }

  /** A message with no headers, a generated id and no key. */
  public static OutboundMessage of(String destination, byte[] payload) {
    return new OutboundMessage(destination, payload, Map.of(), null, null);
  }

  /** A message whose payload is the UTF-8 encoding of {@code text}. */
  public static OutboundMessage of(String destination, String text) {
    return of(destination, text.getBytes(StandardCharsets.UTF_8));
  }

  /** This message with one more header (replacing one of the same name). */
  public OutboundMessage withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new OutboundMessage(destination, payload, copy, id, key);
  }

  /** This message with the given id. */
  public OutboundMessage withId(String id) {
    return new OutboundMessage(
        destination, payload, headers, Objects.requireNonNull(id, "id"), key);
  }

  /** This message with the given partitioning key. */
  public OutboundMessage withKey(String key) {
    return new OutboundMessage(
        destination, payload, headers, id, Objects.requireNonNull(key, "key"));
  }

  @Override
  public String toString() {
    return "OutboundMessage[destination="
        + destination
        + ", id="
        + id
        + ", bytes="
        + payload.length
        + "]";
  }
}
