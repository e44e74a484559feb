package dev.baton.demo;

import dev.baton.health.Heartbeats;
import io.opentelemetry.api.common.AttributeKey;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps finished spans by trace, so a finished task's trace can be printed as an indented tree (the
 * embedded default when no OTLP endpoint is set) and checked by tests. Housekeeping traces (the
 * agents' heartbeats) are never kept; a printed trace is released by the caller ({@link #forget});
 * past {@code maxTraces} the oldest trace is dropped, so what is held is bounded by the tasks in
 * flight, never by run time.
 */
final class TraceTree implements SpanProcessor {

  static final int DEFAULT_MAX_TRACES = 2000;
  private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");

  private final Map<String, List<SpanData>> traces;

  TraceTree() {
    this(DEFAULT_MAX_TRACES);
  }

  /** A tree that holds at most {@code maxTraces} traces, dropping the oldest first. */
  TraceTree(int maxTraces) {
    this.traces =
        Collections.synchronizedMap(
            new LinkedHashMap<>() {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, List<SpanData>> eldest) {
                return size() > maxTraces;
              }
            });
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (Heartbeats.DESTINATION.equals(span.getAttribute(DESTINATION))) {
      return; // housekeeping: a trace per beat, never printed
    }
    traces
        .computeIfAbsent(span.getSpanContext().getTraceId(), k -> new CopyOnWriteArrayList<>())
        .add(span.toSpanData());
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
  List<SpanData> spans(String traceId) {
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

  /** Prints the trace as a tree: service, span, duration, status. */
  void print(String traceId, String title, PrintStream out) {
    List<SpanData> spans = spans(traceId);
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.getSpanId()));
    List<SpanData> roots = new ArrayList<>();
    for (SpanData span : spans) {
      if (!span.getParentSpanContext().isValid() || !ids.contains(span.getParentSpanId())) {
        roots.add(span);
      }
    }
    roots.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
    StringBuilder text = new StringBuilder();
    text.append(title).append("  trace ").append(traceId).append('\n');
    for (SpanData root : roots) {
      append(text, root, spans, 1);
    }
    out.print(text);
    out.flush();
  }

  private static void append(StringBuilder text, SpanData span, List<SpanData> spans, int depth) {
    String service = span.getResource().getAttribute(SERVICE);
    long millis = (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1_000_000;
    text.append("  ".repeat(depth))
        .append(String.format("%-12s %-36s %6d ms", service, span.getName(), millis))
        .append(span.getStatus().getStatusCode() == StatusCode.ERROR ? "  ERROR" : "")
        .append('\n');
    spans.stream()
        .filter(s -> s.getParentSpanId().equals(span.getSpanId()))
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .forEach(child -> append(text, child, spans, depth + 1));
  }
}
