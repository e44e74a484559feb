/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.internal.AsciiBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the engine needs to know about one broker's messages: its name, how its headers are read and
 * written, and where a message id travels when it cannot ride in Baton's own header. A transport
 * implements it once; the engine does everything else. Implementations are stateless or immutable,
 * and thread-safe, and read a {@code null} header set (a message without headers) as empty.
 *
 * @param <H> the broker's header type
 */
public abstract class Wire<H> {

  private final String system;
  private final String idHeader;

  /**
   * For transports: the messaging system ({@code messaging.system}: {@code nats}, {@code kafka})
   * and the header that carries a message id the broker itself uses (JetStream's {@code
   * Nats-Msg-Id}) or one that cannot travel in Baton's header.
   *
   * @param system the messaging system
   * @param idHeader the header that carries a message id
   */
  protected Wire(String system, String idHeader) {
    this.system = Objects.requireNonNull(system, "system");
    this.idHeader = Objects.requireNonNull(idHeader, "idHeader");
  }

  /** {@return the messaging system ({@code messaging.system})} */
  public final String system() {
    return system;
  }

  /** {@return the id header; read when Baton's header has no id} */
  public final String idHeader() {
    return idHeader;
  }

  /**
   * {@return the header names present, each once; {@code headers} may be {@code null} (none)}
   *
   * @param headers the headers, or {@code null}
   */
  public abstract Iterable<String> keys(@Nullable H headers);

  /**
   * {@return every value of header {@code key} in the order they appear; empty when absent}
   *
   * @param headers the headers, or {@code null}
   * @param key the header's name
   */
  public abstract List<String> getAll(@Nullable H headers, String key);

  /**
   * {@return the last value of header {@code key}, or {@code null} when absent} Override it where
   * the broker's type answers without building a list: the engine asks it on every delivery.
   *
   * @param headers the headers, or {@code null}
   * @param key the header's name
   */
  public @Nullable String last(@Nullable H headers, String key) {
    List<String> values = getAll(headers, key);
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  /**
   * {@link #last} for a value the engine parses ({@code traceparent}, Baton's header): a wire whose
   * headers hold bytes returns them as characters ({@link #ascii}) instead of decoding a string the
   * engine would only take apart.
   *
   * @param headers the headers, or {@code null}
   * @param key the header's name
   * @return the last value, or {@code null} when absent
   */
  public @Nullable CharSequence lastAscii(@Nullable H headers, String key) {
    return last(headers, key);
  }

  /**
   * {@return {@code value} read as characters, one per byte, with no string made (see {@link
   * #lastAscii})}
   *
   * @param value the bytes
   */
  protected static CharSequence ascii(byte[] value) {
    return new AsciiBytes(value);
  }

  /**
   * {@return whether header {@code key} appears more than once; override it as {@link #last}}
   *
   * @param headers the headers, or {@code null}
   * @param key the header's name
   */
  public boolean repeated(@Nullable H headers, String key) {
    return getAll(headers, key).size() > 1;
  }

  /**
   * {@return whether header {@code key} or header {@code other} appears more than once: a received
   * message's two usual headers checked at once} Override it where {@link #repeated} walks the
   * headers, to walk them once.
   *
   * @param headers the headers, or {@code null}
   * @param key a header's name
   * @param other another header's name
   */
  public boolean repeated(@Nullable H headers, String key, String other) {
    return repeated(headers, key) || repeated(headers, other);
  }

  /**
   * The headers the engine reads on every delivery, found in {@code carrier}: each one's last value
   * and whether it came more than once. This default asks for each in turn ({@link #lastAscii},
   * {@link #last}, {@link #repeated}); a wire whose every lookup walks the headers (Kafka's)
   * overrides it to walk them once.
   *
   * @param carrier the headers, or {@code null}
   * @param found receives what was found
   */
  public void find(@Nullable H carrier, Found found) {
    found.clear();
    found.traceparent = lastAscii(carrier, BatonHeaders.TRACEPARENT);
    found.tracestate = last(carrier, BatonHeaders.TRACESTATE);
    found.tracestateTwice = found.tracestate != null && repeated(carrier, BatonHeaders.TRACESTATE);
    found.baggage = last(carrier, BatonHeaders.BAGGAGE);
    found.baggageTwice = found.baggage != null && repeated(carrier, BatonHeaders.BAGGAGE);
    found.baton = lastAscii(carrier, BatonHeaders.BATON);
    found.contextTwice =
        (found.traceparent != null || found.baton != null)
            && repeated(carrier, BatonHeaders.TRACEPARENT, BatonHeaders.BATON);
  }

  /**
   * What {@link #find} found: the last value of each header the engine reads on every delivery
   * ({@code null} when absent), and which came more than once. Mutable, reused by one thread.
   */
  public static final class Found {
    /** {@code traceparent}, as {@link #lastAscii} reads it. */
    public @Nullable CharSequence traceparent;

    /** {@code tracestate}. */
    public @Nullable String tracestate;

    /** Whether {@code tracestate} came more than once. */
    public boolean tracestateTwice;

    /** {@code baggage}. */
    public @Nullable String baggage;

    /** Whether {@code baggage} came more than once. */
    public boolean baggageTwice;

    /** Baton's header, as {@link #lastAscii} reads it. */
    public @Nullable CharSequence baton;

    /** Whether {@code traceparent} or Baton's header came more than once. */
    public boolean contextTwice;

    private final AsciiBytes traceparentBytes = new AsciiBytes();
    private final AsciiBytes batonBytes = new AsciiBytes();

    /**
     * Sets {@link #traceparent} to {@code value} read as characters, one per byte, through a
     * wrapper this object reuses (none made per message); {@code null} reads as empty.
     *
     * @param value the header's bytes, or {@code null}
     */
    public void traceparentAscii(byte @Nullable [] value) {
      traceparent = traceparentBytes.reset(value);
    }

    /**
     * {@link #traceparentAscii} for {@link #baton}.
     *
     * @param value the header's bytes, or {@code null}
     */
    public void batonAscii(byte @Nullable [] value) {
      baton = batonBytes.reset(value);
    }

    /** Empty, as for a message with no headers, holding nothing of the last one. */
    public void clear() {
      traceparent = null;
      tracestate = null;
      tracestateTwice = false;
      baggage = null;
      baggageTwice = false;
      baton = null;
      contextTwice = false;
      traceparentBytes.reset(null);
      batonBytes.reset(null);
    }
  }

  /**
   * Sets header {@code key} to {@code value}, replacing every value it had: never two.
   *
   * @param headers the headers
   * @param key the header's name
   * @param value its value
   */
  public abstract void set(H headers, String key, String value);

  /**
   * {@return whether this broker's headers hold bytes (Kafka's do): the engine then writes the
   * values it builds as bytes ({@link #setAscii}), with no string between}
   */
  public boolean holdsBytes() {
    return false;
  }

  /**
   * {@link #set} for a value the engine built as ASCII bytes (which it then no longer touches). By
   * default as a string; a wire whose headers hold bytes stores them as they are.
   *
   * @param headers the headers
   * @param key the header's name
   * @param value its value, ASCII bytes
   */
  public void setAscii(H headers, String key, byte[] value) {
    set(headers, key, new String(value, StandardCharsets.ISO_8859_1));
  }

  /**
   * New, empty, writable headers for an outgoing message.
   *
   * @return the headers
   */
  public abstract H newHeaders();

  /**
   * {@return how many bytes the {@code baggage} header may take on a message with these headers and
   * a payload of {@code payloadBytes}, or -1 for no limit beyond the baggage policy} Asked only
   * when there is baggage to send.
   *
   * @param headers the headers
   * @param payloadBytes the payload's size
   */
  public int baggageRoom(H headers, int payloadBytes) {
    return -1;
  }
}
