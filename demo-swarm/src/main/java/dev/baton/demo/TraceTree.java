/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.transport.Transport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Keeps finished spans by trace, so a finished task's trace can be printed as an indented tree (the
 * embedded default when no OTLP endpoint is set) and checked by tests. Spans come from this
 * process's agents and, when the roles run in several processes, from the others' over the {@link
 * SpanRelay}. Housekeeping traces (the agents' heartbeats) are never kept; a printed trace is
 * released by the caller ({@link #forget}); past {@code maxTraces} the oldest trace is dropped, so
 * what is held is bounded by the tasks in flight, never by run time.
 */
final class TraceTree implements SpanProcessor {

  static final int DEFAULT_MAX_TRACES = 2000;
  private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> INSTANCE =
      AttributeKey.stringKey("service.instance.id");
  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> REFUSED = AttributeKey.stringKey("baton.refused");
  private static final AttributeKey<Long> CONVERSATION_INPUT_TOKENS =
      AttributeKey.longKey("baton.conversation.input_tokens");
  private static final AttributeKey<Long> CONVERSATION_OUTPUT_TOKENS =
      AttributeKey.longKey("baton.conversation.output_tokens");
  private static final AttributeKey<Boolean> TEMPORARY =
      AttributeKey.booleanKey("messaging.destination.temporary");

  /**
   * One finished span, as much as a tree needs.
   *
   * @param instance the agent's id ({@code service.instance.id}), which tells replicas apart
   * @param awaitsReceiver whether the span sent a message that someone processes (a send to a
   *     lasting destination: not a reply), so a whole tree shows a child under it
   * @param refused why Baton refused the message of a process span ({@code baton.refused}: over the
   *     conversation's budget, a loop), or empty
   */
  record Node(
      String traceId,
      String spanId,
      String parentSpanId,
      String service,
      String instance,
      String name,
      long startNanos,
      long endNanos,
      boolean error,
      boolean awaitsReceiver,
      String refused) {

    Node {
      refused = refused == null ? "" : refused; // a relayed span from an older demo has none
    }

    static Node of(SpanData span) {
      String service = span.getResource().getAttribute(SERVICE);
      String instance = span.getResource().getAttribute(INSTANCE);
      String refused = span.getAttributes().get(REFUSED);
      Long in = span.getAttributes().get(CONVERSATION_INPUT_TOKENS);
      Long out = span.getAttributes().get(CONVERSATION_OUTPUT_TOKENS);
      if (refused != null && in != null && out != null) {
        refused += String.format(Locale.ROOT, " (the conversation so far: %,d tokens)", in + out);
      }
      return new Node(
          span.getTraceId(),
          span.getSpanId(),
          span.getParentSpanContext().isValid() ? span.getParentSpanId() : "",
          service == null ? "" : service,
          instance == null ? "" : instance,
          span.getName(),
          span.getStartEpochNanos(),
          span.getEndEpochNanos(),
          span.getStatus().getStatusCode() == StatusCode.ERROR,
          span.getKind() == SpanKind.PRODUCER && !noReceiverSpan(span),
          refused == null ? "" : refused);
    }

    /** Replies (NATS inboxes, Kafka reply topics) and dead letters have no process span. */
    private static boolean noReceiverSpan(SpanData span) {
      return Boolean.TRUE.equals(span.getAttributes().get(TEMPORARY))
          || span.getName().startsWith("send baton.replies.")
          || span.getName().equals("send " + Roles.DEAD_LETTER);
    }
  }

  private final Map<String, List<Node>> traces;
  private final boolean showInstances;
  private volatile Consumer<Node> localSpans = node -> {};

  TraceTree() {
    this(DEFAULT_MAX_TRACES, false);
  }

  /**
   * A tree that holds at most {@code maxTraces} traces, dropping the oldest first; it names each
   * span's agent ({@code coder-4711}) instead of its service when {@code showInstances}.
   */
  TraceTree(int maxTraces, boolean showInstances) {
    this.showInstances = showInstances;
    this.traces =
        Collections.synchronizedMap(
            new LinkedHashMap<>() {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, List<Node>> eldest) {
                return size() > maxTraces;
              }
            });
  }

  /** Also hands every span of this process's agents to {@code forward} (a {@link SpanRelay}). */
  void forwardLocalSpans(Consumer<Node> forward) {
    this.localSpans = forward;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (Transport.HEARTBEATS.equals(span.getAttribute(DESTINATION))) {
      return; // housekeeping: a trace per beat, never printed
    }
    Node node = Node.of(span.toSpanData());
    add(node);
    localSpans.accept(node);
  }

  /** Adds a span (one from another process, say). */
  void add(Node node) {
    traces.computeIfAbsent(node.traceId(), k -> new CopyOnWriteArrayList<>()).add(node);
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }

  /** The spans of one trace so far. */
  List<Node> spans(String traceId) {
    return List.copyOf(traces.getOrDefault(traceId, List.of()));
  }

  /** How many traces are held. */
  int size() {
    return traces.size();
  }

  /** Forgets a trace. */
  void forget(String traceId) {
    traces.remove(traceId);
  }

  /**
   * Whether the trace looks whole: all its roots share one parent (none, or an outside caller's),
   * so no span waits for its parent (from another process), and every message sent to a lasting
   * destination has a span of its receiver under it.
   */
  boolean complete(String traceId) {
    List<Node> spans = spans(traceId);
    Set<String> ids = new HashSet<>();
    Set<String> parents = new HashSet<>();
    spans.forEach(
        s -> {
          ids.add(s.spanId());
          parents.add(s.parentSpanId());
        });
    boolean oneRoot =
        spans.stream()
                .map(Node::parentSpanId)
                .filter(parent -> parent.isEmpty() || !ids.contains(parent))
                .distinct()
                .count()
            <= 1;
    return oneRoot
        && spans.stream().noneMatch(s -> s.awaitsReceiver() && !parents.contains(s.spanId()));
  }

  /**
   * Prints the trace as a tree: service (or agent), span, duration, status. A span whose parent is
   * not in this process's view (an outside caller's, or one lost with a process) starts with {@code
   * ...}.
   */
  void print(String traceId, String title, PrintStream out) {
    List<Node> spans = spans(traceId);
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.spanId()));
    List<Node> roots = new ArrayList<>();
    for (Node span : spans) {
      if (span.parentSpanId().isEmpty() || !ids.contains(span.parentSpanId())) {
        roots.add(span);
      }
    }
    roots.sort(Comparator.comparingLong(Node::startNanos));
    StringBuilder text = new StringBuilder();
    text.append(title).append("  trace ").append(traceId).append('\n');
    for (Node root : roots) {
      append(text, root, spans, 1);
    }
    out.print(text);
    out.flush();
  }

  private void append(StringBuilder text, Node span, List<Node> spans, int depth) {
    long millis = (span.endNanos() - span.startNanos()) / 1_000_000;
    String who = showInstances && !span.instance().isEmpty() ? span.instance() : span.service();
    text.append("  ".repeat(depth))
        .append(depth == 1 && !span.parentSpanId().isEmpty() ? "... " : "")
        .append(String.format(showInstances ? "%-18s" : "%-12s", who))
        .append(String.format(" %-36s %6d ms", span.name(), millis))
        .append(
            span.refused().isEmpty()
                ? span.error() ? "  ERROR" : ""
                : "  REFUSED: " + span.refused())
        .append('\n');
    spans.stream()
        .filter(s -> s.parentSpanId().equals(span.spanId()))
        .sorted(Comparator.comparingLong(Node::startNanos))
        .forEach(child -> append(text, child, spans, depth + 1));
  }
}
