/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.JavaAgent;
import dev.baton.propagation.spi.Wire;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * jnats {@link Headers} as the engine reads and writes them: a {@code null} carrier reads as empty.
 * Header names are case-sensitive in NATS, so the W3C names are matched as written (lower case).
 * The engine only ever writes to headers it created, never to a received message's (possibly
 * read-only) headers. The message id travels in {@code Nats-Msg-Id} on JetStream, which
 * deduplicates on it. Thread-safe.
 */
final class NatsWire extends Wire<Headers> {

  /** JetStream's deduplication id. */
  static final String MSG_ID = "Nats-Msg-Id";

  // Room kept for Baton's own headers when sizing the baggage budget.
  private static final int RESERVED_HEADER_BYTES = 512;

  private final @Nullable Connection connection;

  /** The wire for messages on {@code connection} (its max payload bounds the baggage). */
  NatsWire(@Nullable Connection connection) {
    super("nats", MSG_ID);
    this.connection = connection;
  }

  @Override
  public Headers newHeaders() {
    // The Java agent's publish instrumentation copies read-only headers through jnats' private map
    // (which would lose the values OutgoingHeaders holds as bytes): it gets ordinary headers.
    return JavaAgent.present() ? new Headers() : new OutgoingHeaders();
  }

  /**
   * Headers the engine builds for one send.
   *
   * <p>jnats copies a message's headers on publish unless they say they are read-only (two maps and
   * a node per entry: about 400 B a message with Baton's two entries); these say so, because
   * nothing changes them once they are handed to the client: the engine fills them before the
   * publish call and never touches them after, and agent code never sees them. Their own {@code
   * put} still works: jnats' mutators check the private flag set by the constructor, not this
   * method.
   *
   * <p>The two values the engine builds as bytes on every send ({@code traceparent} and Baton's
   * header) stay bytes, outside jnats' maps, and are written straight into the message on publish:
   * jnats charges about 200 B per entry (a node in each of its two maps, a list, a boxed length,
   * the value's string) before the value. The publish path reads only {@link #isEmpty}, {@link
   * #serializedLength} and {@link #serializeToArray}, which count them; every other method first
   * moves them into the maps as strings ({@link #spill}), so anything that looks sees ordinary
   * headers. A jnats path that copies headers by reading its private map (JetStream's publish with
   * options does) must be handed spilled headers.
   */
  static final class OutgoingHeaders extends Headers {

    // At most two values kept as bytes: the engine writes traceparent and Baton's header so.
    private @Nullable String key0;
    private byte @Nullable [] value0;
    private @Nullable String key1;
    private byte @Nullable [] value1;
    // Bytes the two add on the wire: "key:value\r\n" each.
    private int byteEntriesLength;

    @Override
    public boolean isReadOnly() {
      return true;
    }

    /** Sets {@code key} to an ASCII value, replacing what it had. */
    void setAscii(String key, byte[] value) {
      if (super.containsKey(key)) {
        super.remove(key);
      }
      if (key.equals(key0)) {
        value0 = value;
      } else if (key.equals(key1)) {
        value1 = value;
      } else if (key0 == null) {
        key0 = key;
        value0 = value;
      } else if (key1 == null) {
        key1 = key;
        value1 = value;
      } else {
        super.put(key, new String(value, StandardCharsets.ISO_8859_1));
      }
      byteEntriesLength = length(key0, value0) + length(key1, value1);
    }

    /** Sets {@code key} to {@code value}, replacing what it had (as bytes or not). */
    void setText(String key, String value) {
      if (key.equals(key0) || key.equals(key1)) {
        if (key.equals(key0)) {
          key0 = null;
          value0 = null;
        } else {
          key1 = null;
          value1 = null;
        }
        byteEntriesLength = length(key0, value0) + length(key1, value1);
      }
      super.put(key, value);
    }

    private static int length(@Nullable String key, byte @Nullable [] value) {
      return key == null || value == null ? 0 : key.length() + value.length + 3;
    }

    /** Moves the values kept as bytes into jnats' maps; afterwards these are plain headers. */
    void spill() {
      if (key0 != null && value0 != null) {
        super.put(key0, new String(value0, StandardCharsets.ISO_8859_1));
      }
      if (key1 != null && value1 != null) {
        super.put(key1, new String(value1, StandardCharsets.ISO_8859_1));
      }
      key0 = null;
      value0 = null;
      key1 = null;
      value1 = null;
      byteEntriesLength = 0;
    }

    // The publish path: counts the values kept as bytes without moving them.

    @Override
    public boolean isEmpty() {
      return byteEntriesLength == 0 && super.isEmpty();
    }

    @Override
    public int serializedLength() {
      return super.serializedLength() + byteEntriesLength;
    }

    @Override
    public int serializeToArray(int destPosition, byte[] dest) {
      int mapped = super.serializedLength();
      super.serializeToArray(destPosition, dest);
      // jnats ends with a blank line (CR LF): the values kept as bytes go in before it.
      int at = destPosition + mapped - 2;
      at = write(key0, value0, dest, at);
      at = write(key1, value1, dest, at);
      dest[at] = '\r';
      dest[at + 1] = '\n';
      return mapped + byteEntriesLength;
    }

    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): keys are ASCII
    private static int write(@Nullable String key, byte @Nullable [] value, byte[] dest, int at) {
      if (key == null || value == null) {
        return at;
      }
      key.getBytes(0, key.length(), dest, at);
      at += key.length();
      dest[at++] = ':';
      System.arraycopy(value, 0, dest, at, value.length);
      at += value.length;
      dest[at++] = '\r';
      dest[at++] = '\n';
      return at;
    }

    @Override
    public byte[] getSerialized() {
      byte[] serialized = new byte[serializedLength()];
      serializeToArray(0, serialized);
      return serialized;
    }

    @Override
    public boolean isDirty() {
      return true;
    }

    // Everything else sees plain headers.

    @Override
    public Headers add(String key, String... values) {
      spill();
      return super.add(key, values);
    }

    @Override
    public Headers add(String key, Collection<String> values) {
      spill();
      return super.add(key, values);
    }

    @Override
    public Headers put(String key, String... values) {
      spill();
      return super.put(key, values);
    }

    @Override
    public Headers put(String key, Collection<String> values) {
      spill();
      return super.put(key, values);
    }

    @Override
    public Headers put(Map<String, List<String>> map) {
      spill();
      return super.put(map);
    }

    @Override
    public void remove(String... keys) {
      spill();
      super.remove(keys);
    }

    @Override
    public void remove(Collection<String> keys) {
      spill();
      super.remove(keys);
    }

    @Override
    public int size() {
      spill();
      return super.size();
    }

    @Override
    public void clear() {
      spill();
      super.clear();
    }

    @Override
    public boolean containsKey(String key) {
      spill();
      return super.containsKey(key);
    }

    @Override
    public boolean containsKeyIgnoreCase(String key) {
      spill();
      return super.containsKeyIgnoreCase(key);
    }

    @Override
    public Set<String> keySet() {
      spill();
      return super.keySet();
    }

    @Override
    public Set<String> keySetIgnoreCase() {
      spill();
      return super.keySetIgnoreCase();
    }

    @Override
    public @Nullable List<String> get(String key) {
      spill();
      return super.get(key);
    }

    @Override
    public @Nullable String getFirst(String key) {
      spill();
      return super.getFirst(key);
    }

    @Override
    public @Nullable String getLast(String key) {
      spill();
      return super.getLast(key);
    }

    @Override
    public @Nullable List<String> getIgnoreCase(String key) {
      spill();
      return super.getIgnoreCase(key);
    }

    @Override
    public void forEach(BiConsumer<String, List<String>> action) {
      spill();
      super.forEach(action);
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
      spill();
      return super.entrySet();
    }

    @Override
    public Map<String, List<String>> toMap() {
      spill();
      return super.toMap();
    }

    @Override
    @SuppressWarnings("deprecation")
    public io.nats.client.support.ByteArrayBuilder appendSerialized(
        io.nats.client.support.ByteArrayBuilder bab) {
      spill();
      return super.appendSerialized(bab);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      spill();
      if (o instanceof OutgoingHeaders other) {
        other.spill();
      }
      return super.equals(o);
    }

    @Override
    public int hashCode() {
      spill();
      return super.hashCode();
    }
  }

  @Override
  public boolean holdsBytes() {
    return true;
  }

  @Override
  public void setAscii(Headers carrier, String key, byte[] value) {
    if (carrier instanceof OutgoingHeaders outgoing) {
      outgoing.setAscii(key, value);
    } else {
      set(carrier, key, new String(value, StandardCharsets.ISO_8859_1));
    }
  }

  @Override
  public void set(Headers carrier, String key, String value) {
    if (carrier instanceof OutgoingHeaders outgoing) {
      outgoing.setText(key, value);
    } else {
      carrier.put(key, value);
    }
  }

  @Override
  public Iterable<String> keys(@Nullable Headers carrier) {
    return carrier == null ? Set.of() : carrier.keySet();
  }

  @Override
  public List<String> getAll(@Nullable Headers carrier, String key) {
    if (carrier == null) {
      return List.of();
    }
    List<String> values = carrier.get(key);
    return values == null ? List.of() : values;
  }

  @Override
  public @Nullable String last(@Nullable Headers carrier, String key) {
    return carrier == null ? null : carrier.getLast(key);
  }

  @Override
  public boolean repeated(@Nullable Headers carrier, String key) {
    if (carrier == null) {
      return false;
    }
    // Not get(key).size(): that wraps the list (16 B a call, two calls a message). The first and
    // last values are one object only when the header came once: jnats parses every value of a
    // received message into a string of its own. (A header given one string twice, on a message
    // built here, reads as given once: either way the value is that string.)
    return carrier.getFirst(key) != carrier.getLast(key);
  }

  @Override
  public int baggageRoom(Headers headers, int payloadBytes) {
    long max = connection == null ? 0 : connection.getMaxPayload();
    if (max <= 0) {
      return -1;
    }
    long left = max - payloadBytes - headers.serializedLength() - RESERVED_HEADER_BYTES;
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
  }
}
