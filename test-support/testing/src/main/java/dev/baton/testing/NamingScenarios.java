/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.ConversationMode;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The contract's naming scenarios: span names stay low-cardinality with per-task destinations, as
 * the messaging conventions ask, and GenAI {@code invoke_agent} spans when an agent opts in.
 */
public interface NamingScenarios extends ContractHarness {

  /** {@code messaging.destination.name}. */
  AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");

  /** {@code messaging.destination.template}. */
  AttributeKey<String> TEMPLATE = AttributeKey.stringKey("messaging.destination.template");

  /** {@code gen_ai.agent.id}. */
  AttributeKey<String> AGENT_ID = AttributeKey.stringKey("gen_ai.agent.id");

  /**
   * {@return how many per-task destinations the naming scenario sends to in the default suite:
   * 3,000 unless a broker says (Kafka runs 3,000 in the scenario suite: its topics take half a
   * minute)}
   */
  default int perTaskDestinations() {
    return 3_000;
  }

  /**
   * Creates {@code destinations} where the broker needs it done ahead (Kafka: one batch of topics,
   * where creating each on demand takes a tenth of a second); nothing by default.
   *
   * @param destinations the destinations the scenario sends to
   * @throws Exception when the broker refuses them
   */
  default void prepareDestinations(List<String> destinations) throws Exception {}

  /**
   * Per-task destinations give one send name and one process name.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void perTaskDestinationsGiveOneSendNameAndOneProcessName() throws Exception {
    assertPerTaskDestinationsGiveOneNameEach(perTaskDestinations());
  }

  /**
   * An agent sends to {@code tasks} per-task destinations ({@code run.task.<i>}, a span name
   * pattern {@code run.task.*}); one wildcard subscription ({@code run.task.>}) handles them all:
   * one send name and one process name, each destination's own name kept on its spans.
   *
   * @param tasks how many per-task destinations
   * @throws Exception when the broker or the harness fails
   */
  default void assertPerTaskDestinationsGiveOneNameEach(int tasks) throws Exception {
    String run = unique("naming").replace('-', '_');
    Agent planner = agent("planner", b -> b.addSpanNamePattern(run + ".task.*"));
    Agent worker = agent("worker");
    AtomicInteger handled = new AtomicInteger();
    prepareDestinations(IntStream.range(0, tasks).mapToObj(i -> run + ".task." + i).toList());
    worker.ready(
        worker.subscriber().subscribe(run + ".task.>", "workers", m -> handled.incrementAndGet()));

    for (int i = 0; i < tasks; i++) {
      planner.publisher().publish(run + ".task." + i, bytes("t" + i));
    }

    Await.until("every task handled", Duration.ofMinutes(2), () -> handled.get() >= tasks);
    List<SpanData> spans = Await.size("send and process spans", 2 * tasks, this::handOffSpans);
    Map<String, Long> names =
        new TreeMap<>(
            spans.stream()
                .collect(Collectors.groupingBy(SpanData::getName, Collectors.counting())));
    assertThat(names)
        .as("span names of %s per-task destinations", tasks)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "send " + run + ".task.*", (long) tasks,
                    "process " + run + ".task.>", (long) tasks)));
    // The real destination stays on every span; the pattern is the template.
    for (SpanKind kind : List.of(SpanKind.PRODUCER, SpanKind.CONSUMER)) {
      List<SpanData> ofKind = spans.stream().filter(s -> s.getKind() == kind).toList();
      assertThat(ofKind.stream().map(s -> s.getAttributes().get(DESTINATION)).distinct().count())
          .as("distinct messaging.destination.name on %s spans", kind)
          .isEqualTo(tasks);
      assertThat(ofKind.stream().map(s -> s.getAttributes().get(TEMPLATE)).distinct().toList())
          .containsExactly(run + (kind == SpanKind.PRODUCER ? ".task.*" : ".task.>"));
    }
  }

  /**
   * Past the limit, a span is named for its operation alone.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void pastTheLimitASpanIsNamedForItsOperationAlone() throws Exception {
    String run = unique("limit").replace('-', '_');
    Agent planner = agent("planner", b -> b.setSpanNameLimit(3));

    for (int i = 0; i < 8; i++) {
      planner
          .publisher()
          .publish(OutboundMessage.of(run + ".d" + i, bytes("x")))
          .get(30, TimeUnit.SECONDS);
    }

    List<SpanData> spans = Await.size("send spans", 8, this::handOffSpans);
    assertThat(spans.stream().map(SpanData::getName).toList())
        .containsExactly(
            "send " + run + ".d0",
            "send " + run + ".d1",
            "send " + run + ".d2",
            "send",
            "send",
            "send",
            "send",
            "send");
    assertThat(spans.stream().map(s -> s.getAttributes().get(DESTINATION)).toList())
        .as("the destination is kept past the limit")
        .containsExactly(
            run + ".d0",
            run + ".d1",
            run + ".d2",
            run + ".d3",
            run + ".d4",
            run + ".d5",
            run + ".d6",
            run + ".d7");
  }

  /**
   * GenAI spans are {@code invoke_agent} spans that keep their messaging attributes.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void genAiSpansAreInvokeAgentSpansThatKeepTheirMessagingAttributes() throws Exception {
    String run = unique("genai");
    Agent caller = agent("caller", b -> b.setConversations(ConversationMode.MINT));
    Agent worker =
        agent("worker", b -> b.setGenAiSpans(true).setConversations(ConversationMode.MINT));
    Agent helper =
        agent("helper", b -> b.setGenAiSpans(true).setConversations(ConversationMode.MINT));
    helper.ready(helper.subscriber().respond(run + ".svc", null, req -> bytes("ok")));
    CompletableFuture<Message> answered = new CompletableFuture<>();
    worker.ready(
        worker
            .subscriber()
            .subscribe(
                run + ".work",
                m -> {
                  answered.complete(
                      worker
                          .publisher()
                          .request(run + ".svc", bytes("help"), Duration.ofSeconds(10))
                          .get(20, TimeUnit.SECONDS));
                }));

    caller.publisher().publish(run + ".work", bytes("task"));

    assertThat(answered.get(30, TimeUnit.SECONDS).payloadAsString()).isEqualTo("ok");
    List<SpanData> spans = spans(5);
    SpanData replySend =
        spans.stream()
            .filter(
                s ->
                    s.getKind() == SpanKind.PRODUCER
                        && "helper".equals(s.getAttributes().get(AGENT_NAME)))
            .findFirst()
            .orElseThrow();
    SpanTree tree =
        tree(5)
            .isExactly(
                """
                PRODUCER send %1$s.work [caller]
                  CONSUMER invoke_agent worker [worker] links: parent
                    PRODUCER send %1$s.svc [worker] links: '%2$s [helper]'
                      CONSUMER invoke_agent helper [helper] links: parent
                        PRODUCER %2$s [helper]
                """
                    .formatted(run, replySend.getName()));
    SpanData passed = tree.span("invoke_agent worker", "worker");
    SpanData returned = tree.span("invoke_agent helper", "helper");
    String conversation =
        tree.span("send " + run + ".work", "caller")
            .getAttributes()
            .get(AttributeKey.stringKey("gen_ai.conversation.id"));
    assertThat(conversation).isNotBlank();
    assertThat(genAi(passed))
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "gen_ai.operation.name", "invoke_agent",
                    "gen_ai.agent.name", "worker",
                    "gen_ai.agent.id", passed.getAttributes().get(AGENT_ID),
                    "gen_ai.conversation.id", conversation,
                    "gen_ai.transfer.mode", "pass_control")));
    assertThat(genAi(returned))
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "gen_ai.operation.name", "invoke_agent",
                    "gen_ai.agent.name", "helper",
                    "gen_ai.agent.id", returned.getAttributes().get(AGENT_ID),
                    "gen_ai.conversation.id", conversation,
                    "gen_ai.transfer.mode", "return_to_caller")));
    assertThat(passed.getAttributes().get(AGENT_ID)).startsWith("worker-");
    for (SpanData process : List.of(passed, returned)) {
      assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.system")))
          .isEqualTo(system());
      assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")))
          .isEqualTo("process");
    }
    assertThat(passed.getAttributes().get(DESTINATION)).isEqualTo(run + ".work");
    assertThat(returned.getAttributes().get(DESTINATION)).isEqualTo(run + ".svc");
    // The caller did not opt in: its spans are as before.
    assertThat(
            spans.stream()
                .filter(s -> "caller".equals(s.getAttributes().get(AGENT_NAME)))
                .map(s -> s.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")))
                .filter(Objects::nonNull)
                .toList())
        .isEmpty();
  }

  /** A span's {@code gen_ai.*} attributes, by name. */
  private static Map<String, Object> genAi(SpanData span) {
    Map<String, Object> found = new TreeMap<>();
    span.getAttributes()
        .forEach(
            (key, value) -> {
              if (key.getKey().startsWith("gen_ai.")) {
                found.put(key.getKey(), value);
              }
            });
    return found;
  }
}
