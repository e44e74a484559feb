/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

import dev.baton.transport.internal.MessageAccess;
import dev.baton.transport.internal.ReadOnlyHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message as a handler receives it. Immutable and safe to hand to other threads.
 *
 * <p>The payload array is handed over as the broker client delivered it, without a copy: treat it
 * as read-only. Headers are an unmodifiable view in which a header sent several times shows its
 * last value (the rule every Baton transport follows).
 *
 * <p>A message Baton received reads its headers and its id from the broker's message when first
 * asked, so a handler that never asks pays nothing for them. (Until 0.x this was a record; its
 * accessors, constructor, equality and string form are unchanged.)
 */
public final class Message {

  static {
    MessageAccess.install(new Parts());
  }

  private final String destination;
  private final byte[] payload;
  private final @Nullable String sender;
  private final @Nullable String replyTo;
  private final int deliveryCount;

  /** The headers once made; else read from {@link #carrier} through {@link #reader}. */
  private @Nullable Map<String, String> headers;

  private final @Nullable Object carrier;
  private final MessageAccess.@Nullable HeaderReader reader;

  /**
   * The id once made; else {@link #idSource}'s characters {@code [idRange >>> 16, idRange &
   * 0xffff)}.
   */
  private @Nullable String id;

  private final @Nullable Object idSource;
  private final int idRange;

  /**
   * A message with these parts.
   *
   * @param destination the subject or topic the message was published to
   * @param headers the message headers, last value per name; copied unless already read-only
   * @param payload the payload bytes, never {@code null} (empty when the message had none)
   * @param id the message id; a generated one when the sender set none
   * @param sender the name of the agent that sent it, or {@code null} when the sender is not a
   *     Baton agent
   * @param replyTo where a reply goes, or {@code null} when the sender expects none
   * @param deliveryCount how often the broker has delivered this message, 1 on the first delivery
   *     (always 1 on brokers without redelivery)
   * @throws NullPointerException if {@code destination}, {@code headers}, {@code payload} or {@code
   *     id} is {@code null}
   * @throws IllegalArgumentException if {@code deliveryCount} is below 1
   */
  public Message(
      String destination,
      Map<String, String> headers,
      byte[] payload,
      String id,
      @Nullable String sender,
      @Nullable String replyTo,
      int deliveryCount) {
    this(
        destination,
        readOnly(headers),
        null,
        null,
        payload,
        Objects.requireNonNull(id, "id"),
        null,
        0,
        sender,
        replyTo,
        deliveryCount);
  }

  private Message(
      String destination,
      @Nullable Map<String, String> headers,
      @Nullable Object carrier,
      MessageAccess.@Nullable HeaderReader reader,
      byte[] payload,
      @Nullable String id,
      @Nullable Object idSource,
      int idRange,
      @Nullable String sender,
      @Nullable String replyTo,
      int deliveryCount) {
    this.destination = Objects.requireNonNull(destination, "destination");
    this.payload = Objects.requireNonNull(payload, "payload");
    if (deliveryCount < 1) {
      throw new IllegalArgumentException("deliveryCount must be at least 1, was " + deliveryCount);
    }
    this.headers = headers;
    this.carrier = carrier;
    this.reader = reader;
    this.id = id;
    this.idSource = idSource;
    this.idRange = idRange;
    this.sender = sender;
    this.replyTo = replyTo;
    this.deliveryCount = deliveryCount;
  }

  private static Map<String, String> readOnly(Map<String, String> headers) {
    Objects.requireNonNull(headers, "headers");
    return headers instanceof ReadOnlyHeaders ? headers : Map.copyOf(headers);
  }

  /** {@return the subject or topic the message was published to} */
  public String destination() {
    return destination;
  }

  /** {@return the message headers, last value per name, unmodifiable} */
  public Map<String, String> headers() {
    Map<String, String> made = headers;
    if (made == null) {
      // Two threads asking at once may each make a view: equal, immutable, and safely published
      // through its final fields, so no lock or volatile write is needed.
      made = Objects.requireNonNull(reader).headers(carrier);
      headers = made;
    }
    return made;
  }

  /** {@return the payload bytes, never {@code null} (empty when the message had none)} */
  public byte[] payload() {
    return payload;
  }

  /** {@return the message id; a generated one when the sender set none} */
  public String id() {
    String made = id;
    if (made == null) {
      // Two threads asking at once may each make the string: equal (and strings are immutable).
      int start = idRange >>> 16;
      int end = idRange & 0xffff;
      made =
          idSource instanceof byte[] bytes
              ? new String(bytes, start, end - start, StandardCharsets.ISO_8859_1)
              : Objects.requireNonNull(idSource).toString().substring(start, end);
      id = made;
    }
    return made;
  }

  /**
   * {@return the name of the agent that sent it, or {@code null} when the sender is not a Baton
   * agent}
   */
  public @Nullable String sender() {
    return sender;
  }

  /** {@return where a reply goes, or {@code null} when the sender expects none} */
  public @Nullable String replyTo() {
    return replyTo;
  }

  /**
   * {@return how often the broker has delivered this message, 1 on the first delivery (always 1 on
   * brokers without redelivery)}
   */
  public int deliveryCount() {
    return deliveryCount;
  }

  /** {@return the payload decoded as UTF-8} */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * {@return whether the broker delivered this message before (a redelivery after a nak or
   * timeout)}
   */
  public boolean isRedelivery() {
    return deliveryCount > 1;
  }

  /**
   * Equal when every part is: destination, headers, id, sender, reply-to and delivery count equal,
   * and the payload arrays the same array (as a record compares them).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Message other
        && destination.equals(other.destination)
        && payload == other.payload
        && deliveryCount == other.deliveryCount
        && Objects.equals(sender, other.sender)
        && Objects.equals(replyTo, other.replyTo)
        && id().equals(other.id())
        && headers().equals(other.headers());
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        destination,
        headers(),
        System.identityHashCode(payload),
        id(),
        sender,
        replyTo,
        deliveryCount);
  }

  @Override
  public String toString() {
    // Never the payload or header values: they may carry user data.
    return "Message[destination="
        + destination
        + ", id="
        + id()
        + ", sender="
        + sender
        + ", bytes="
        + payload.length
        + ", deliveryCount="
        + deliveryCount
        + "]";
  }

  private static final class Parts implements MessageAccess.Parts {
    @Override
    public Message received(
        String destination,
        @Nullable Object carrier,
        MessageAccess.HeaderReader reader,
        byte[] payload,
        @Nullable String id,
        @Nullable Object idSource,
        int idStart,
        int idEnd,
        @Nullable String sender,
        @Nullable String replyTo,
        int deliveryCount) {
      Objects.requireNonNull(reader, "reader");
      if (id == null) {
        if (!(idSource instanceof byte[] || idSource instanceof CharSequence)
            || idStart < 0
            || idEnd > 0xffff
            || idStart >= idEnd) {
          throw new IllegalArgumentException("no id, and no range of a source to read it from");
        }
      }
      return new Message(
          destination,
          null,
          carrier,
          reader,
          payload,
          id,
          id == null ? idSource : null,
          id == null ? idStart << 16 | idEnd : 0,
          sender,
          replyTo,
          deliveryCount);
    }
  }
}
