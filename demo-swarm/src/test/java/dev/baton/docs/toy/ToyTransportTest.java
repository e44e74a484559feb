/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.docs.toy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.SpanTree;
import dev.baton.transport.Message;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport docs/writing-a-transport.md builds works: one trace across a hop, a failed
 * handler's message redelivered with its delivery count, and request/reply, with the spans exactly
 * as the shipped transports make them.
 */
class ToyTransportTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final Baton planner =
      Baton.builder(OTEL.getOpenTelemetry()).setAgentName("planner").build();
  private final Baton researcher =
      Baton.builder(OTEL.getOpenTelemetry()).setAgentName("researcher").build();

  @Test
  void aHandOffIsOneTrace() throws Exception {
    List<String> tasks = new CopyOnWriteArrayList<>();
    try (ToyBroker broker = new ToyBroker();
        ToyBaton from = ToyBaton.create(planner, broker);
        ToyBaton to = ToyBaton.create(researcher, broker)) {
      to.subscriber().subscribe("tasks", "researchers", m -> tasks.add(m.payloadAsString()));
      from.publisher().publish("tasks", "compare brokers".getBytes(UTF_8));
      Await.until("the researcher has the task", () -> tasks.size() == 1);
    }
    assertThat(tasks).containsExactly("compare brokers");
    SpanTree.of(Await.size("hand-off spans", 2, OTEL::getSpans))
        .isExactly(
            """
            PRODUCER send tasks [planner]
              CONSUMER process tasks [researcher] links: parent
            """);
  }

  @Test
  void aFailedHandlerIsRedeliveredWithItsCount() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (ToyBroker broker = new ToyBroker();
        ToyBaton from = ToyBaton.create(planner, broker);
        ToyBaton to = ToyBaton.create(researcher, broker)) {
      to.subscriber()
          .subscribe(
              "flaky",
              "researchers",
              m -> {
                if (attempts.incrementAndGet() < 3) {
                  throw new IllegalStateException("not yet");
                }
              });
      from.publisher().publish("flaky", new byte[1]);
      Await.until("the third attempt succeeds", () -> attempts.get() == 3);
      Await.until("every delivery is settled", () -> broker.unacked() == 0);
    }
    List<SpanData> process =
        Await.size("three process spans", 4, OTEL::getSpans).stream()
            .filter(s -> s.getName().equals("process flaky"))
            .toList();
    assertThat(process)
        .extracting(
            s -> s.getAttributes().get(AttributeKey.longKey("baton.message.delivery_count")))
        .containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(process)
        .filteredOn(s -> s.getStatus().getStatusCode().name().equals("ERROR"))
        .hasSize(2);
    assertThat(process.stream().map(s -> s.getParentSpanId()).distinct()).hasSize(1);
  }

  @Test
  void theProbeReportsWhatASubscriptionHasWaiting() throws Exception {
    List<TransportListener.QueueDepth> depths = new CopyOnWriteArrayList<>();
    Baton watched =
        Baton.builder(OTEL.getOpenTelemetry())
            .setAgentName("researcher")
            .addListener(
                new TransportListener() {
                  @Override
                  public void onQueueDepth(QueueDepth event) {
                    depths.add(event);
                  }
                })
            .build();
    CountDownLatch release = new CountDownLatch(1);
    try (ToyBroker broker = new ToyBroker();
        ToyBaton from = ToyBaton.create(planner, broker);
        ToyBaton to =
            ToyBaton.builder(watched, broker).setBacklogInterval(Duration.ofMillis(50)).build()) {
      to.subscriber().subscribe("slow", "researchers", m -> release.await(20, TimeUnit.SECONDS));
      for (int i = 0; i < 3; i++) {
        from.publisher().publish("slow", new byte[100]);
      }
      Await.until(
          "the probe sees two messages (200 bytes) waiting behind the running one",
          () -> depths.stream().anyMatch(d -> d.messages() == 2 && d.bytes() == 200));
      release.countDown();
      Await.until(
          "the probe sees the queue empty", () -> depths.get(depths.size() - 1).messages() == 0);
    }
    assertThat(depths)
        .allMatch(d -> d.destination().equals("slow") && d.group().equals("researchers"));
  }

  @Test
  void aRequestGetsItsReplyInTheSameTrace() throws Exception {
    try (ToyBroker broker = new ToyBroker();
        ToyBaton from = ToyBaton.create(planner, broker);
        ToyBaton to = ToyBaton.create(researcher, broker)) {
      to.subscriber()
          .respond(
              "questions", "researchers", q -> ("yes: " + q.payloadAsString()).getBytes(UTF_8));
      Message answer =
          from.publisher()
              .request("questions", "ready?".getBytes(UTF_8), Duration.ofSeconds(10))
              .get(20, TimeUnit.SECONDS);
      assertThat(answer.payloadAsString()).isEqualTo("yes: ready?");
      assertThat(answer.sender()).isEqualTo("researcher");
    }
    assertThat(OTEL.getSpans().stream().map(SpanData::getTraceId).distinct()).hasSize(1);
    assertThat(OTEL.getSpans())
        .extracting(SpanData::getName)
        .contains("send questions", "process questions", "send toy.replies.*");
  }
}
