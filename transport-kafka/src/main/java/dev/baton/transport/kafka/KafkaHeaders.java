package dev.baton.transport.kafka;

import dev.baton.propagation.HeaderGetter;
import dev.baton.propagation.HeaderSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * The getter and setter for Kafka {@link Headers}: stateless; a {@code null} carrier reads as
 * empty. Values are decoded as UTF-8 with malformed bytes replaced (so binary values can never
 * parse as trace context); a {@code null} value reads as empty. The setter removes every header of
 * the name before adding one, as OpenTelemetry's Kafka instrumentation does, so a record never
 * carries two.
 */
final class KafkaHeaders {

  /** The message id Baton writes on Kafka records (Kafka has none of its own). */
  static final String MESSAGE_ID = "baton-message-id";

  /** On a request: the topic the requester reads replies from. */
  static final String REPLY_TO = "baton-reply-to";

  /** On a reply: the request's message id. */
  static final String CONVERSATION_ID = "baton-conversation-id";

  static final HeaderGetter<@Nullable Headers> GETTER =
      new HeaderGetter<>() {
        @Override
        public Iterable<String> keys(@Nullable Headers carrier) {
          if (carrier == null) {
            return Set.of();
          }
          Set<String> keys = new LinkedHashSet<>();
          for (Header header : carrier) {
            keys.add(header.key());
          }
          return keys;
        }

        @Override
        public List<String> getAll(@Nullable Headers carrier, String key) {
          if (carrier == null) {
            return List.of();
          }
          List<String> values = null;
          for (Header header : carrier.headers(key)) {
            if (values == null) {
              values = new ArrayList<>(1);
            }
            byte[] value = header.value();
            values.add(value == null ? "" : new String(value, StandardCharsets.UTF_8));
          }
          return values == null ? List.of() : values;
        }
      };

  static final HeaderSetter<Headers> SETTER =
      (carrier, key, value) -> {
        carrier.remove(key);
        carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
      };

  private KafkaHeaders() {}

  static @Nullable String last(@Nullable Headers headers, String key) {
    if (headers == null) {
      return null;
    }
    Header header = headers.lastHeader(key);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}
