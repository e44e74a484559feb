/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The exact shape of a set of spans, for asserting hand-offs: which span is the child of which,
 * with its kind, name, agent and links. A tree is drawn one span per line, children indented by two
 * spaces under their parent and ordered by start time:
 *
 * <pre>{@code
 * PRODUCER send drafts.review [writer]
 *   CONSUMER process drafts.review [reviewer] links: parent
 *     PRODUCER send drafts.archive [reviewer]
 *       CONSUMER process drafts.archive [archivist] links: parent
 * }</pre>
 *
 * <p>{@code [agent]} is the span's {@code gen_ai.agent.name}. {@code links:} lists what each link
 * points at: {@code parent}, another span of the set by its name and agent ({@code 'send x
 * [alpha]'}), or {@code elsewhere}. A span whose parent is not in the set is drawn as a root marked
 * {@code (parent elsewhere)}. Several roots mean several traces.
 *
 * <p>{@link #isExactly} compares the drawing with the expected one and, on a mismatch, fails
 * showing both. {@link #span} picks one span for finer assertions, for instance with
 * OpenTelemetry's {@code OpenTelemetryAssertions.assertThat(SpanData)}.
 */
public final class SpanTree {

  private static final AttributeKey<String> AGENT_NAME =
      AttributeKey.stringKey("gen_ai.agent.name");
  private static final Comparator<SpanData> BY_START =
      Comparator.comparingLong(SpanData::getStartEpochNanos).thenComparing(SpanData::getName);

  private final List<SpanData> spans;
  private final Map<String, SpanData> byId = new HashMap<>();
  private final Map<String, List<SpanData>> children = new HashMap<>();
  private final List<SpanData> roots = new ArrayList<>();

  private SpanTree(Collection<SpanData> spans) {
    this.spans = List.copyOf(spans);
    this.spans.forEach(s -> byId.put(s.getSpanId(), s));
    for (SpanData span : this.spans.stream().sorted(BY_START).toList()) {
      SpanData parent = byId.get(span.getParentSpanId());
      if (span.getParentSpanContext().isValid() && parent != null) {
        children.computeIfAbsent(parent.getSpanId(), k -> new ArrayList<>()).add(span);
      } else {
        roots.add(span);
      }
    }
  }

  /**
   * {@return the tree of {@code spans}}
   *
   * @param spans the spans
   */
  public static SpanTree of(Collection<SpanData> spans) {
    return new SpanTree(spans);
  }

  /** {@return the drawing described above, one line per span, each line ending in a newline} */
  public String draw() {
    StringBuilder out = new StringBuilder();
    roots.forEach(root -> draw(root, 0, out));
    return out.toString();
  }

  /**
   * Asserts that the tree is drawn exactly as {@code expected} (common indentation and blank lines
   * at either end are ignored, so a text block can be indented with the test).
   *
   * @param expected the drawing
   * @return this tree
   */
  public SpanTree isExactly(String expected) {
    assertThat(draw()).as("the span tree").isEqualTo(expected.stripIndent().strip() + "\n");
    return this;
  }

  /** {@return the number of traces among the spans} */
  public long traceCount() {
    return spans.stream().map(SpanData::getTraceId).distinct().count();
  }

  /**
   * {@return the one span named {@code name} whose agent is {@code agent}; fails unless exactly
   * one}
   *
   * @param name the span's name
   * @param agent the agent that made it
   */
  public SpanData span(String name, String agent) {
    List<SpanData> found =
        spans.stream()
            .filter(
                s -> s.getName().equals(name) && agent.equals(s.getAttributes().get(AGENT_NAME)))
            .toList();
    assertThat(found).as("spans named '%s' by %s in%n%s", name, agent, draw()).hasSize(1);
    return found.get(0);
  }

  private void draw(SpanData span, int depth, StringBuilder out) {
    out.append("  ".repeat(depth)).append(label(span));
    if (span.getParentSpanContext().isValid() && !byId.containsKey(span.getParentSpanId())) {
      out.append(" (parent elsewhere)");
    }
    if (!span.getLinks().isEmpty()) {
      out.append(" links: ")
          .append(
              span.getLinks().stream().map(l -> target(span, l)).collect(Collectors.joining(", ")));
    }
    out.append('\n');
    children.getOrDefault(span.getSpanId(), List.of()).forEach(c -> draw(c, depth + 1, out));
  }

  private String target(SpanData span, LinkData link) {
    String id = link.getSpanContext().getSpanId();
    if (id.equals(span.getParentSpanId())) {
      return "parent";
    }
    SpanData linked = byId.get(id);
    return linked == null
        ? "elsewhere"
        : "'" + label(linked).substring(linked.getKind().name().length() + 1) + "'";
  }

  private static String label(SpanData span) {
    String agent = span.getAttributes().get(AGENT_NAME);
    return span.getKind() + " " + span.getName() + (agent == null ? "" : " [" + agent + "]");
  }

  /**
   * Asserts that every CONSUMER span in {@code spans} is the child of a PRODUCER span among them:
   * each hop continued its sender's trace.
   *
   * @param spans the spans
   */
  public static void assertEveryReceiveContinuesItsSend(Collection<SpanData> spans) {
    Set<String> sends = new HashSet<>();
    for (SpanData span : spans) {
      if (span.getKind() == SpanKind.PRODUCER) {
        sends.add(span.getSpanContext().getSpanId());
      }
    }
    for (SpanData span : spans) {
      if (span.getKind() == SpanKind.CONSUMER && !sends.contains(span.getParentSpanId())) {
        throw new AssertionError(span.getName() + " is not the child of a send span");
      }
    }
  }
}
