package dev.baton.transport.nats;

import dev.baton.propagation.HeaderGetter;
import dev.baton.propagation.HeaderSetter;
import io.nats.client.impl.Headers;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The getter and setter for jnats {@link Headers}: stateless, a {@code null} carrier reads as
 * empty. Header names are case-sensitive in NATS, so the W3C names are matched as written (lower
 * case). The setter only ever writes to headers Baton created, never to a received message's
 * (possibly read-only) headers.
 */
final class NatsHeaders {

  /** JetStream's deduplication id; Baton uses it as the message id on every NATS message. */
  static final String MSG_ID = "Nats-Msg-Id";

  static final HeaderGetter<@Nullable Headers> GETTER =
      new HeaderGetter<>() {
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
      };

  static final HeaderSetter<Headers> SETTER = (carrier, key, value) -> carrier.put(key, value);

  private NatsHeaders() {}

  static @Nullable String last(@Nullable Headers headers, String key) {
    List<String> values = GETTER.getAll(headers, key);
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  /** Roughly how many bytes these headers take on the wire. */
  static int wireSize(Headers headers) {
    int size = 12; // "NATS/1.0\r\n" + the closing "\r\n"
    for (String key : headers.keySet()) {
      for (String value : headers.get(key)) {
        size += key.length() + value.length() + 4;
      }
    }
    return size;
  }
}
