package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.Heartbeats;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TraceTreeTest {

  private final TraceTree tree = new TraceTree(3, false);
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(tree).build();
  private final Tracer tracer = provider.get("test");

  @AfterEach
  void close() {
    provider.close();
  }

  /** A task's trace: a root and one child; returns the trace id. */
  private String task(String name) {
    Span root = tracer.spanBuilder("submit " + name).startSpan();
    try (Scope ignored = root.makeCurrent()) {
      tracer.spanBuilder("process " + name).startSpan().end();
    } finally {
      root.end();
    }
    return root.getSpanContext().getTraceId();
  }

  private void heartbeat() {
    tracer
        .spanBuilder("send " + Heartbeats.DESTINATION)
        .setAttribute("messaging.destination.name", Heartbeats.DESTINATION)
        .startSpan()
        .end();
  }

  @Test
  void aTaskAfterTheCapStillPrintsItsFullTreeAndHeartbeatsAreNeverKept() {
    for (int i = 0; i < 50; i++) {
      heartbeat();
    }
    assertThat(tree.size()).as("heartbeats are housekeeping").isZero();
    for (int i = 0; i < 10; i++) {
      task("old-" + i); // never printed nor forgotten: only the cap bounds them
    }
    assertThat(tree.size()).isEqualTo(3);

    String late = task("late");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    tree.print(late, "task late", new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("submit late")
        .contains("process late");
    assertThat(tree.spans(late)).hasSize(2);
    tree.forget(late);
    assertThat(tree.spans(late)).isEmpty();
    assertThat(tree.size()).isEqualTo(2);
  }
}
