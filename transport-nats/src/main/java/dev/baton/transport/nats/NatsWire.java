package dev.baton.transport.nats;

import dev.baton.propagation.spi.Wire;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import java.util.List;
import java.util.Set;
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
    return new OutgoingHeaders();
  }

  /**
   * Headers the engine builds for one send. jnats copies a message's headers on publish unless they
   * say they are read-only (two maps and a node per entry: about 400 B a message with Baton's two
   * entries); these say so, because nothing changes them once they are handed to the client: the
   * engine fills them before the publish call and never touches them after, and agent code never
   * sees them. Their own {@code put} still works: jnats' mutators check the private flag set by the
   * constructor, not this method.
   */
  static final class OutgoingHeaders extends Headers {
    @Override
    public boolean isReadOnly() {
      return true;
    }
  }

  @Override
  public void set(Headers carrier, String key, String value) {
    carrier.put(key, value);
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
    List<String> values = carrier.get(key);
    return values != null && values.size() > 1;
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
