/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.transport.Subscription;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The contract's delivery scenarios: queue groups and redelivery after a failed handler. */
public interface DeliveryScenarios extends ContractHarness {

  /**
   * Queue group processes each message once in its own trace.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void queueGroupProcessesEachMessageOnceInItsOwnTrace() throws Exception {
    String run = unique("work");
    Agent producer = agent("producer");
    Agent w1 = agent("worker-1");
    Agent w2 = agent("worker-2");
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    Set<String> workers = ConcurrentHashMap.newKeySet();
    Subscription s1 =
        w1.subscriber()
            .subscribe(
                run + ".jobs",
                "workers",
                m -> {
                  seen.merge(m.id(), 1, Integer::sum);
                  workers.add("w1");
                });
    Subscription s2 =
        w2.subscriber()
            .subscribe(
                run + ".jobs",
                "workers",
                m -> {
                  seen.merge(m.id(), 1, Integer::sum);
                  workers.add("w2");
                });
    w1.ready(s1);
    w2.ready(s2);
    int count = 40;

    for (int i = 0; i < count; i++) {
      producer.publisher().publish(run + ".jobs", bytes("job " + i));
    }

    Await.until("all jobs handled", () -> seen.size() == count);
    s1.drain(Duration.ofSeconds(5));
    s2.drain(Duration.ofSeconds(5));
    assertThat(seen.values()).allMatch(n -> n == 1);
    assertThat(seen).hasSize(count);
    List<SpanData> spans = spans(2 * count);
    assertThat(spans).hasSize(2 * count);
    Map<String, SpanData> sends =
        spans.stream()
            .filter(s -> s.getKind() == SpanKind.PRODUCER)
            .collect(Collectors.toMap(s -> s.getAttributes().get(MESSAGE_ID), s -> s));
    List<SpanData> processes =
        spans.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
    assertThat(processes).hasSize(count);
    for (SpanData process : processes) {
      SpanData send = sends.get(process.getAttributes().get(MESSAGE_ID));
      assertChildAndLinked(process, send);
      assertThat(
              process.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name")))
          .isEqualTo("workers");
    }
    assertThat(spans.stream().map(SpanData::getTraceId).distinct()).hasSize(count);
  }

  /**
   * A failed handler is redelivered and nothing is lost.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void aFailedHandlerIsRedeliveredAndNothingIsLost() throws Exception {
    String run = unique("redeliver");
    String destination = run + ".tasks";
    Agent worker = agent("worker");
    Agent producer = agent("producer");
    Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    Set<String> done = ConcurrentHashMap.newKeySet();
    worker.ready(
        worker
            .redeliveringSubscriber(destination)
            .subscribe(
                destination,
                "workers",
                m -> {
                  attempts
                      .computeIfAbsent(m.payloadAsString(), k -> new CopyOnWriteArrayList<>())
                      .add(m.deliveryCount());
                  if (m.payloadAsString().equals("task-2") && m.deliveryCount() == 1) {
                    throw new IllegalStateException("flaky tool call");
                  }
                  done.add(m.payloadAsString());
                }));

    for (int i = 0; i < 5; i++) {
      producer.publisher().publish(destination, bytes("task-" + i));
    }

    Await.until("all five handled", () -> done.size() == 5);
    assertThat(attempts.get("task-2")).containsExactly(1, 2);
    assertThat(attempts.get("task-0")).containsExactly(1);
    List<SpanData> spans = spans(11);
    List<SpanData> task2 =
        spans.stream()
            .filter(s -> s.getKind() == SpanKind.CONSUMER)
            .filter(s -> s.getAttributes().get(DELIVERY_COUNT) == 2L)
            .toList();
    assertThat(task2).hasSize(1);
    String id = task2.get(0).getAttributes().get(MESSAGE_ID);
    List<SpanData> attemptsOfTask2 =
        spans.stream()
            .filter(s -> s.getKind() == SpanKind.CONSUMER)
            .filter(s -> id.equals(s.getAttributes().get(MESSAGE_ID)))
            .toList();
    assertThat(attemptsOfTask2)
        .extracting(s -> s.getAttributes().get(DELIVERY_COUNT))
        .containsExactlyInAnyOrder(1L, 2L);
    SpanData failed =
        attemptsOfTask2.stream()
            .filter(s -> s.getAttributes().get(DELIVERY_COUNT) == 1L)
            .findFirst()
            .orElseThrow();
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    SpanData send =
        spans.stream()
            .filter(s -> s.getKind() == SpanKind.PRODUCER)
            .filter(s -> id.equals(s.getAttributes().get(MESSAGE_ID)))
            .findFirst()
            .orElseThrow();
    assertThat(attemptsOfTask2).allMatch(s -> s.getParentSpanId().equals(send.getSpanId()));
  }
}
