/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.AgentGraph;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract's agent-graph scenario: the graph of a known run is exactly its agents and
 * hand-offs.
 */
public interface GraphScenarios extends ContractHarness {

  /**
   * The graph of a known run is exactly its agents and hand-offs.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void theGraphOfAKnownRunIsExactlyItsAgentsAndHandOffs() throws Exception {
    String run = unique("graph");
    AgentGraph graph = AgentGraph.create();
    Agent planner = agent("planner", b -> b.addListener(graph));
    Agent writer = agent("writer", b -> b.addListener(graph));
    Agent reviewer = agent("reviewer", b -> b.addListener(graph));
    AtomicInteger reviewed = new AtomicInteger();
    writer.ready(
        writer
            .subscriber()
            .subscribe(
                run + ".write",
                m -> {
                  if (m.payloadAsString().startsWith("bad")) {
                    throw new IllegalStateException("the writer refuses " + m.payloadAsString());
                  }
                  writer.publisher().publish(run + ".review", m.payload());
                }));
    reviewer.ready(
        reviewer.subscriber().subscribe(run + ".review", m -> reviewed.incrementAndGet()));

    for (int i = 0; i < 10; i++) {
      planner.publisher().publish(run + ".write", bytes("chapter " + i));
    }
    // Straight to the reviewer too, so the planner has two hand-offs.
    for (int i = 0; i < 4; i++) {
      planner.publisher().publish(run + ".review", bytes("outline " + i));
    }

    Await.until("the reviewer has everything", Duration.ofSeconds(30), () -> reviewed.get() == 14);
    // A handler's outcome and a send's acknowledgement reach the listeners after the handler
    // returned: wait for the graph to have heard them all.
    List<String> expected =
        List.of(
            "planner handled 0, sent 14",
            "reviewer handled 14, sent 0",
            "writer handled 10, sent 10");
    Await.until(
        "every outcome and acknowledgement in the graph",
        () ->
            graph.snapshot().agents().stream()
                .map(a -> a.name() + " handled " + a.handled() + ", sent " + a.sent())
                .toList()
                .equals(expected));
    AgentGraph.Snapshot snapshot = graph.snapshot();
    assertThat(snapshot.agents())
        .extracting(AgentGraph.Agent::name)
        .containsExactly("planner", "reviewer", "writer");
    assertThat(snapshot.handoffs())
        .extracting(h -> h.from() + " -> " + h.to() + ": " + h.messages())
        .containsExactly(
            "planner -> reviewer: 4", "planner -> writer: 10", "writer -> reviewer: 10");
    assertThat(snapshot.agents())
        .extracting(a -> a.name() + " handled " + a.handled() + ", sent " + a.sent())
        .containsExactly(
            "planner handled 0, sent 14",
            "reviewer handled 14, sent 0",
            "writer handled 10, sent 10");
    for (AgentGraph.Handoff handoff : snapshot.handoffs()) {
      assertThat(handoff.perSecond()).as("%s", handoff).isPositive();
      assertThat(handoff.deliveryP95Seconds()).as("%s", handoff).isBetween(0.0, 30.0);
    }
    AgentGraph.Agent writerNode = snapshot.agents().get(2);
    assertThat(writerNode.errorShare()).isZero();
    assertThat(writerNode.handlerP95Seconds()).isBetween(0.0, 30.0);
    // A failing hand-off counts as failed: two bad chapters (redelivered or not, each attempt the
    // broker makes is a handled message that failed).
    planner.publisher().publish(run + ".write", bytes("bad 1"));
    Await.until("a failure on the writer", () -> graph.snapshot().agents().get(2).failed() >= 1);
    AgentGraph.Agent failing = graph.snapshot().agents().get(2);
    assertThat(failing.errorShare()).isGreaterThan(0).isLessThan(1);
    assertThat(graph.snapshot().text())
        .contains("planner -> writer", "writer -> reviewer", "planner -> reviewer");
    assertThat(List.of(graph.snapshot().svg().split("class=\"agent\"", -1)).size() - 1)
        .isEqualTo(3);
  }
}
