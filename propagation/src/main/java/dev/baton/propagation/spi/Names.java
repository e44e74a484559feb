/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.internal.AsciiBytes;
import dev.baton.propagation.internal.SemConv;
import dev.baton.propagation.internal.SpanNaming;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine's span names and start attributes per destination, and the sender names it has seen,
 * built once and reused so the message path allocates none of them. Span names stay
 * low-cardinality, as the messaging conventions ask: a destination that matches a configured
 * pattern ({@link SpanNaming}) is named for the pattern, a delivery with a template (a wildcard
 * subscription, an inbox) for its template, and past {@link SpanNaming#limit()} distinct names a
 * span is named for its operation alone. Thread-safe.
 */
final class Names {

  private static final int SENDERS = 16;
  private static final Logger LOG = LoggerFactory.getLogger(MessagingEngine.class);

  /**
   * Names and attributes for one destination.
   *
   * @param carriesName whether the attributes hold {@code messaging.destination.name}; when not (a
   *     template, a pattern, the operation alone), the caller adds the destination's own name
   */
  record Destination(
      String sendName,
      String processName,
      Attributes send,
      Attributes process,
      boolean carriesName) {}

  private final String system;
  private final String agentName;
  private final Attributes agent;
  private final SpanNaming naming;
  private final ConcurrentHashMap<String, Destination> plain = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Destination> templated = new ConcurrentHashMap<>();
  private final AtomicInteger named = new AtomicInteger();
  private final AtomicBoolean warned = new AtomicBoolean();
  private final Destination operationOnly;
  private final String[] senders = new String[SENDERS];
  private final AtomicInteger nextSender = new AtomicInteger();

  Names(String system, String agentName, String agentId, SpanNaming naming) {
    this.system = system;
    this.agentName = agentName;
    this.naming = naming;
    this.agent = Attributes.of(SemConv.AGENT_NAME, agentName, SemConv.AGENT_ID, agentId);
    this.operationOnly = build(null, null, false);
  }

  /** Whether process spans are GenAI {@code invoke_agent} spans. */
  boolean genAi() {
    return naming.genAi();
  }

  /**
   * The names for {@code destination}; unless {@link Destination#carriesName()}, the caller adds
   * the destination's own name to the span.
   */
  Destination of(String destination, @Nullable String template, boolean temporary) {
    if (template == null && !temporary) {
      template = naming.patternOf(destination);
    }
    ConcurrentHashMap<String, Destination> cache = template == null ? plain : templated;
    String key = template == null ? destination : template;
    Destination names = cache.get(key);
    if (names == null) {
      if (named.get() >= naming.limit()) {
        tooMany(destination);
        return operationOnly;
      }
      names = build(template == null ? destination : null, template, temporary);
      Destination raced = cache.putIfAbsent(key, names);
      if (raced != null) {
        names = raced;
      } else {
        named.incrementAndGet();
      }
    }
    return names;
  }

  private void tooMany(String destination) {
    if (warned.compareAndSet(false, true)) {
      LOG.warn(
          "span names: {} distinct destinations named (Baton.Builder.setSpanNameLimit); spans for"
              + " others, such as '{}', are named for their operation alone. A pattern"
              + " (Baton.Builder.addSpanNamePattern) or a wildcard subscription names per-task"
              + " destinations as one",
          naming.limit(),
          destination);
    }
  }

  private Destination build(
      @Nullable String destination, @Nullable String template, boolean temporary) {
    String name = template != null ? template : temporary ? null : destination;
    return new Destination(
        name == null ? "send" : "send " + name,
        naming.genAi()
            ? SemConv.INVOKE_AGENT + " " + agentName
            : name == null ? "process" : "process " + name,
        attributes(destination, template, temporary, "send"),
        attributes(destination, template, temporary, "process"),
        destination != null);
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
    if (naming.genAi() && op.equals("process")) {
      builder.put(SemConv.GEN_AI_OPERATION_NAME, SemConv.INVOKE_AGENT);
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
