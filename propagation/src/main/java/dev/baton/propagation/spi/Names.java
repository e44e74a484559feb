package dev.baton.propagation.spi;

import dev.baton.propagation.internal.AsciiBytes;
import dev.baton.propagation.internal.SemConv;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One engine's span names and start attributes per destination, and the sender names it has seen,
 * built once and reused so the message path allocates none of them. Bounded: past {@link #MAX}
 * destinations, names are built per message and not kept. Thread-safe.
 */
final class Names {

  static final int MAX = 1024;
  private static final int SENDERS = 16;

  /** Names and attributes for one destination. */
  record Destination(String sendName, String processName, Attributes send, Attributes process) {}

  private final String system;
  private final Attributes agent;
  private final ConcurrentHashMap<String, Destination> plain = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Destination> templated = new ConcurrentHashMap<>();
  private final String[] senders = new String[SENDERS];
  private final AtomicInteger nextSender = new AtomicInteger();

  Names(String system, String agentName, String agentId) {
    this.system = system;
    this.agent = Attributes.of(SemConv.AGENT_NAME, agentName, SemConv.AGENT_ID, agentId);
  }

  /**
   * The names for {@code destination}; with a template, names use the template and the caller adds
   * the destination's own name to the span.
   */
  Destination of(String destination, @Nullable String template, boolean temporary) {
    ConcurrentHashMap<String, Destination> cache = template == null ? plain : templated;
    String key = template == null ? destination : template;
    Destination names = cache.get(key);
    if (names == null) {
      names = build(template == null ? destination : null, template, temporary);
      if (cache.size() < MAX) {
        Destination raced = cache.putIfAbsent(key, names);
        if (raced != null) {
          names = raced;
        }
      }
    }
    return names;
  }

  private Destination build(
      @Nullable String destination, @Nullable String template, boolean temporary) {
    String name = template != null ? template : temporary ? null : destination;
    return new Destination(
        name == null ? "send" : "send " + name,
        name == null ? "process" : "process " + name,
        attributes(destination, template, temporary, "send"),
        attributes(destination, template, temporary, "process"));
  }

  private Attributes attributes(
      @Nullable String destination, @Nullable String template, boolean temporary, String op) {
    AttributesBuilder builder =
        Attributes.builder()
            .putAll(agent)
            .put(SemConv.MESSAGING_SYSTEM, system)
            .put(SemConv.OPERATION_TYPE, op)
            .put(SemConv.OPERATION_NAME, op);
    if (destination != null) {
      builder.put(SemConv.DESTINATION_NAME, destination);
    }
    if (template != null) {
      builder.put(SemConv.DESTINATION_TEMPLATE, template);
    }
    if (temporary) {
      builder.put(SemConv.DESTINATION_TEMPORARY, true);
    }
    return builder.build();
  }

  /**
   * The agent name in {@code value[from, to)}, the same String as last time for a sender seen
   * before, or {@code null} when it is not a valid name.
   */
  @Nullable String agentName(CharSequence value, int from, int to) {
    int length = to - from;
    for (String known : senders) {
      if (known != null && known.length() == length && AsciiBytes.startsWith(value, known, from)) {
        return known;
      }
    }
    String name = value.subSequence(from, to).toString();
    if (!SemConv.isIdentity(name)) {
      return null;
    }
    senders[Math.floorMod(nextSender.getAndIncrement(), SENDERS)] = name;
    return name;
  }
}
