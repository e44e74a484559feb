/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
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
 * @param conversation the conversation this message belongs to, or {@code null} for the one the
 *     sending code runs in (W3C baggage {@code gen_ai.conversation.id}); Baton carries it on the
 *     wire when the agent's Baton tracks conversations
 */
public record OutboundMessage(
    String destination,
    byte[] payload,
    Map<String, String> headers,
    @Nullable String id,
    @Nullable String key,
    @Nullable String conversation) {

  /**
   * Checks the arguments and makes the headers unmodifiable.
   *
   * @param destination the subject or topic
   * @param payload the payload bytes
   * @param headers application headers to send along, unmodifiable; Baton's own headers (W3C trace
   *     context, baggage, {@code baton-*}) replace any of the same name
   * @param id the message id, or {@code null} to let Baton generate one; brokers that deduplicate
   *     (JetStream) use it to drop a retried publish
   * @param key the partitioning key, or {@code null}; brokers without keys ignore it
   * @param conversation the conversation this message belongs to, or {@code null} for the one the
   *     sending code runs in (W3C baggage {@code gen_ai.conversation.id}); Baton carries it on the
   *     wire when the agent's Baton tracks conversations
   */
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
    if (conversation != null && !isConversationId(conversation)) {
      throw new IllegalArgumentException(
          "a conversation id must be 1 to 128 printable ASCII characters without spaces, was '"
              + conversation
              + "'");
    }
  }

  /**
   * A message in the sending code's conversation ({@code conversation} null).
   *
   * @param destination the subject or topic
   * @param payload the payload bytes
   * @param headers application headers to send along, unmodifiable; Baton's own headers (W3C trace
   *     context, baggage, {@code baton-*}) replace any of the same name
   * @param id the message id, or {@code null} to let Baton generate one; brokers that deduplicate
   *     (JetStream) use it to drop a retried publish
   * @param key the partitioning key, or {@code null}; brokers without keys ignore it
   */
  public OutboundMessage(
      String destination,
      byte[] payload,
      Map<String, String> headers,
      @Nullable String id,
      @Nullable String key) {
    this(destination, payload, headers, id, key, null);
  }

  /**
   * {@return whether {@code value} may be a conversation id: 1 to 128 printable ASCII characters,
   * no space (it travels in a W3C baggage header and on every span)}
   *
   * @param value the candidate id
   */
  public static boolean isConversationId(String value) {
    int length = value.length();
    if (length == 0 || length > 128) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@return a message with no headers, a generated id and no key}
   *
   * @param destination the subject or topic
   * @param payload the payload bytes
   */
  public static OutboundMessage of(String destination, byte[] payload) {
    return new OutboundMessage(destination, payload, Map.of(), null, null, null);
  }

  /**
   * {@return a message whose payload is the UTF-8 encoding of {@code text}}
   *
   * @param destination the subject or topic
   * @param text the payload as text
   */
  public static OutboundMessage of(String destination, String text) {
    return of(destination, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@return this message with one more header (replacing one of the same name)}
   *
   * @param name the header's name
   * @param value its value
   */
  public OutboundMessage withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new OutboundMessage(destination, payload, copy, id, key, conversation);
  }

  /**
   * {@return this message with the given id}
   *
   * @param id the message id
   */
  public OutboundMessage withId(String id) {
    return new OutboundMessage(
        destination, payload, headers, Objects.requireNonNull(id, "id"), key, conversation);
  }

  /**
   * {@return this message with the given partitioning key}
   *
   * @param key the partitioning key (Kafka's record key)
   */
  public OutboundMessage withKey(String key) {
    return new OutboundMessage(
        destination, payload, headers, id, Objects.requireNonNull(key, "key"), conversation);
  }

  /**
   * {@return this message in conversation {@code conversation} (1 to 128 printable ASCII
   * characters, no space), whatever conversation the sending code runs in}
   *
   * @param conversation the conversation id
   */
  public OutboundMessage withConversation(String conversation) {
    return new OutboundMessage(
        destination,
        payload,
        headers,
        id,
        key,
        Objects.requireNonNull(conversation, "conversation"));
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
