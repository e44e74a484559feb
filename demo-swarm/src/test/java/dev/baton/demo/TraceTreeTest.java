/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.transport.Transport;
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
        .spanBuilder("send " + Transport.HEARTBEATS)
        .setAttribute("messaging.destination.name", Transport.HEARTBEATS)
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

  @Test
  void aTreeIsWholeOnlyWhenEverySentMessageHasItsReceiverAndEverySpanItsParent() {
    TraceTree relayed = new TraceTree(10, true);
    String trace = "0af7651916cd43dd8448eb211c80319c";
    TraceTree.Node send = node(trace, "a1", "", "send agents.code", true);
    TraceTree.Node reply = node(trace, "a2", "a1", "send _INBOX.>", false);
    relayed.add(send);
    assertThat(relayed.complete(trace)).as("the coder's process span has not come").isFalse();

    TraceTree.Node process = node(trace, "b1", "a1", "process agents.code", false);
    TraceTree.Node late = node(trace, "c1", "b9", "chat gpt-sim-coder", false);
    relayed.add(late);
    assertThat(relayed.complete(trace)).as("a span whose parent has not come").isFalse();
    relayed.add(node(trace, "b9", "b1", "send agents.review", true));
    relayed.add(node(trace, "d1", "b9", "process agents.review", false));
    relayed.add(process);
    relayed.add(reply);
    assertThat(relayed.complete(trace)).isTrue();

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    relayed.print(trace, "task", new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .as("agents, not services, name the spans of a relayed tree")
        .contains("coder-7 ")
        .doesNotContain("...");
  }

  private static TraceTree.Node node(
      String trace, String id, String parent, String name, boolean awaitsReceiver) {
    String span = (id + "00000000000000").substring(0, 16);
    String parentSpan = parent.isEmpty() ? "" : (parent + "00000000000000").substring(0, 16);
    return new TraceTree.Node(
        trace, span, parentSpan, "coder", "coder-7", name, 0, 1_000_000, false, awaitsReceiver, "");
  }
}
