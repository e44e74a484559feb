/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.Continuation;
import dev.baton.transport.Message;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The contract's trace scenarios: one trace across hops, replies, links, loops, what low sampling
 * keeps, the README example.
 */
public interface TraceScenarios extends ContractHarness {

  /**
   * A three-agent chain is one trace with baggage to the end.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void threeAgentChainIsOneTraceWithBaggageToTheEnd() throws Exception {
    String run = unique("chain");
    Agent a = agent("alpha");
    Agent b = agent("beta");
    Agent c = agent("gamma");
    AtomicReference<String> baggageAtC = new AtomicReference<>();
    AtomicReference<String> baggageAtA = new AtomicReference<>();
    AtomicReference<String> senderAtA = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    b.ready(
        b.subscriber().subscribe(run + ".b", m -> b.publisher().publish(run + ".c", m.payload())));
    c.ready(
        c.subscriber()
            .subscribe(
                run + ".c",
                m -> {
                  baggageAtC.set(Baggage.current().getEntryValue("task"));
                  c.publisher().publish(run + ".a", m.payload());
                }));
    a.ready(
        a.subscriber()
            .subscribe(
                run + ".a",
                m -> {
                  baggageAtA.set(Baggage.current().getEntryValue("task"));
                  senderAtA.set(m.sender());
                  done.countDown();
                }));

    try (Scope ignored = Baggage.current().toBuilder().put("task", "t-42").build().makeCurrent()) {
      a.publisher().publish(run + ".b", bytes("hello"));
    }

    assertThat(done.await(20, TimeUnit.SECONDS)).as("A got the message back").isTrue();
    SpanTree tree =
        tree(6)
            .isExactly(
                """
                PRODUCER send %1$s.b [alpha]
                  CONSUMER process %1$s.b [beta] links: parent
                    PRODUCER send %1$s.c [beta]
                      CONSUMER process %1$s.c [gamma] links: parent
                        PRODUCER send %1$s.a [gamma]
                          CONSUMER process %1$s.a [alpha] links: parent
                """
                    .formatted(run));
    SpanData sendAb = tree.span("send " + run + ".b", "alpha");
    SpanData processB = tree.span("process " + run + ".b", "beta");
    SpanData sendBc = tree.span("send " + run + ".c", "beta");
    SpanData processC = tree.span("process " + run + ".c", "gamma");
    SpanData sendCa = tree.span("send " + run + ".a", "gamma");
    SpanData processA = tree.span("process " + run + ".a", "alpha");
    for (SpanData process : List.of(processA, processB, processC)) {
      assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")))
          .isEqualTo("process");
      assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.system")))
          .isEqualTo(system());
      assertThat(process.getAttributes().get(AttributeKey.longKey("messaging.message.body.size")))
          .isEqualTo(5L);
    }
    assertThat(processB.getAttributes().get(SENDER_NAME)).isEqualTo("alpha");
    assertThat(processC.getAttributes().get(SENDER_NAME)).isEqualTo("beta");
    assertThat(processB.getAttributes().get(MESSAGE_ID))
        .isEqualTo(sendAb.getAttributes().get(MESSAGE_ID));
    assertThat(sendAb.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
        .isEqualTo(run + ".b");
    assertThat(
            List.of(
                sendAb.getAttributes().get(HOP),
                sendBc.getAttributes().get(HOP),
                sendCa.getAttributes().get(HOP)))
        .containsExactly(1L, 2L, 3L);
    assertThat(baggageAtC.get()).isEqualTo("t-42");
    assertThat(baggageAtA.get()).isEqualTo("t-42");
    assertThat(senderAtA.get()).isEqualTo("gamma");
  }

  /**
   * Request/reply continues the trace.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void requestReplyContinuesTheTrace() throws Exception {
    String run = unique("rpc");
    Agent requester = agent("requester");
    Agent responder = agent("responder");
    responder.ready(
        responder
            .subscriber()
            .respond(run + ".svc", null, req -> bytes("re:" + req.payloadAsString())));

    Message reply =
        requester
            .publisher()
            .request(run + ".svc", bytes("ping"), Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);

    assertThat(reply.payloadAsString()).isEqualTo("re:ping");
    assertThat(reply.sender()).isEqualTo("responder");
    List<SpanData> spans = spans(3);
    SpanData replySend =
        spans.stream()
            .filter(
                s ->
                    s.getKind() == SpanKind.PRODUCER
                        && "responder".equals(s.getAttributes().get(AGENT_NAME)))
            .findFirst()
            .orElseThrow();
    // The reply's destination is the transport's (an inbox, a reply topic): its name comes from
    // the span; where it sits in the tree does not.
    SpanTree tree =
        tree(3)
            .isExactly(
                """
                PRODUCER send %1$s.svc [requester] links: '%2$s [responder]'
                  CONSUMER process %1$s.svc [responder] links: parent
                    PRODUCER %2$s [responder]
                """
                    .formatted(run, replySend.getName()));
    SpanData request = tree.span("send " + run + ".svc", "requester");
    SpanData handling = tree.span("process " + run + ".svc", "responder");
    if (repliesUseTemporaryDestinations()) {
      assertThat(
              replySend
                  .getAttributes()
                  .get(AttributeKey.booleanKey("messaging.destination.temporary")))
          .isTrue();
    }
    String conversation = request.getAttributes().get(CONVERSATION_ID);
    assertThat(conversation).isEqualTo(request.getAttributes().get(MESSAGE_ID));
    assertThat(handling.getAttributes().get(CONVERSATION_ID)).isEqualTo(conversation);
    assertThat(replySend.getAttributes().get(CONVERSATION_ID)).isEqualTo(conversation);
    assertThat(request.getLinks())
        .extracting(l -> l.getSpanContext().getSpanId())
        .containsExactly(replySend.getSpanId());
    assertThat(request.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
  }

  /**
   * Request timeout is an error span.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void requestTimeoutIsAnErrorSpan() throws Exception {
    String run = unique("slow");
    Agent requester = agent("requester");
    Agent silent = agent("silent");
    silent.ready(silent.subscriber().subscribe(run + ".svc", m -> {}));

    CompletableFuture<Message> future =
        requester.publisher().request(run + ".svc", bytes("ping"), Duration.ofMillis(300));

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    SpanTree tree =
        tree(2)
            .isExactly(
                """
                PRODUCER send %1$s.svc [requester]
                  CONSUMER process %1$s.svc [silent] links: parent
                """
                    .formatted(run));
    SpanData request = tree.span("send " + run + ".svc", "requester");
    assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(request.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("timeout");
  }

  /**
   * New trace with link destination starts a linked trace.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void newTraceWithLinkDestinationStartsALinkedTrace() throws Exception {
    String run = unique("audit");
    Agent sender = agent("sender");
    Agent auditor =
        agent(
            "auditor", b -> b.addContinuation(run + ".audit.>", Continuation.NEW_TRACE_WITH_LINK));
    AtomicReference<String> baggage = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    auditor.ready(
        auditor
            .subscriber()
            .subscribe(
                run + ".audit.events",
                m -> {
                  baggage.set(Baggage.current().getEntryValue("tenant"));
                  done.countDown();
                }));

    try (Scope ignored =
        Baggage.current().toBuilder().put("tenant", "acme").build().makeCurrent()) {
      sender.publisher().publish(run + ".audit.events", bytes("x"));
    }

    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    SpanTree tree =
        tree(2)
            .isExactly(
                """
                PRODUCER send %1$s.audit.events [sender]
                CONSUMER process %1$s.audit.events [auditor] links: 'send %1$s.audit.events [sender]'
                """
                    .formatted(run));
    assertThat(tree.traceCount()).isEqualTo(2);
    SpanData send = tree.span("send " + run + ".audit.events", "sender");
    SpanData process = tree.span("process " + run + ".audit.events", "auditor");
    assertThat(process.getLinks().get(0).getSpanContext().getTraceId())
        .isEqualTo(send.getTraceId());
    assertThat(baggage.get()).as("baggage still rides along").isEqualTo("acme");
  }

  /**
   * Hop limit splits a runaway loop into linked traces.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void hopLimitSplitsARunawayLoopIntoLinkedTraces() throws Exception {
    String run = unique("loop");
    int hops = 25;
    Agent a = agent("ping", b -> b.setHopLimit(10));
    Agent b = agent("pong", b2 -> b2.setHopLimit(10));
    CountDownLatch done = new CountDownLatch(1);
    a.ready(a.subscriber().subscribe(run + ".a", m -> bounce(a, run + ".b", m, hops, done)));
    b.ready(b.subscriber().subscribe(run + ".b", m -> bounce(b, run + ".a", m, hops, done)));

    a.publisher().publish(run + ".b", bytes("1"));

    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    List<SpanData> spans = spans(2 * hops);
    Map<String, List<SpanData>> traces =
        spans.stream().collect(Collectors.groupingBy(SpanData::getTraceId));
    assertThat(traces).hasSize(3);
    Map<String, SpanData> byId =
        spans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
    int unlinkedRoots = 0;
    for (List<SpanData> trace : traces.values()) {
      long sends = trace.stream().filter(s -> s.getKind() == SpanKind.PRODUCER).count();
      long processes = trace.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).count();
      assertThat(sends).isLessThanOrEqualTo(10);
      assertThat(processes).isEqualTo(sends);
      List<SpanData> roots =
          trace.stream().filter(s -> !s.getParentSpanContext().isValid()).toList();
      assertThat(roots).hasSize(1);
      SpanData root = roots.get(0);
      assertThat(root.getKind()).isEqualTo(SpanKind.PRODUCER);
      if (root.getLinks().isEmpty()) {
        unlinkedRoots++;
      } else {
        SpanData previous = byId.get(root.getLinks().get(0).getSpanContext().getSpanId());
        assertThat(previous).as("the linked span of the previous trace").isNotNull();
        assertThat(previous.getTraceId()).isNotEqualTo(root.getTraceId());
        assertThat(previous.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(previous.getAttributes().get(HOP)).isEqualTo(10L);
      }
    }
    assertThat(unlinkedRoots).as("only the first trace starts without a link").isEqualTo(1);
  }

  private void bounce(Agent self, String to, Message m, int limit, CountDownLatch done) {
    int n = Integer.parseInt(m.payloadAsString());
    if (n >= limit) {
      done.countDown();
    } else {
      self.publisher().publish(to, bytes(Integer.toString(n + 1)));
    }
  }

  /**
   * Production samples little; the failures must still be there. At 1 % sampling (new traces
   * sampled by trace id, children following their parent), five of a thousand messages fail on
   * their first delivery: each failure is exported, as its trace's process span when the trace was
   * sampled and otherwise as a span kept for it ({@code baton.kept=failure}), and little else is.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void atOnePercentSamplingTheFiveFailuresOfAThousandMessagesAreExported()
      throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(0.01)))
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    try {
      String destination = unique("sampled") + ".jobs";
      Agent producer = agent("producer", sdk, b -> {});
      Agent worker = agent("worker", sdk, b -> {});
      Set<String> failed = ConcurrentHashMap.newKeySet();
      Set<String> handled = ConcurrentHashMap.newKeySet();
      worker.ready(
          worker
              .subscriber()
              .subscribe(
                  destination,
                  m -> {
                    String payload = m.payloadAsString();
                    if (payload.startsWith("fail") && m.deliveryCount() == 1) {
                      failed.add(m.id());
                      throw new IllegalStateException("refused " + payload);
                    }
                    handled.add(payload);
                  }));

      for (int i = 0; i < 1000; i++) {
        producer.publisher().publish(destination, bytes((i % 200 == 7 ? "fail-" : "ok-") + i));
      }
      Await.until(
          "each of the thousand messages handled or failed once",
          () -> handled.size() + failed.size() >= 1000);

      List<SpanData> exported = exporter.getFinishedSpanItems();
      List<SpanData> errors =
          exported.stream()
              .filter(s -> s.getKind() == SpanKind.CONSUMER)
              .filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR)
              .toList();
      assertThat(failed).hasSize(5);
      assertThat(errors)
          .extracting(s -> s.getAttributes().get(MESSAGE_ID))
          .containsExactlyInAnyOrderElementsOf(failed);
      Set<String> sampledTraces =
          exported.stream()
              .filter(s -> s.getKind() == SpanKind.PRODUCER)
              .map(SpanData::getTraceId)
              .collect(Collectors.toSet());
      for (SpanData error : errors) {
        if (!sampledTraces.contains(error.getTraceId())) {
          assertThat(error.getAttributes().get(AttributeKey.stringKey("baton.kept")))
              .as("a failure in an unsampled trace is kept")
              .isEqualTo("failure");
        }
      }
      assertThat(exported.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).count())
          .as("process spans exported: the sampled traces' and the kept failures, not all 1,000")
          .isLessThan(100);
    } finally {
      sdk.close();
    }
  }

  /**
   * The README example is one trace with baggage to the last agent.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void theReadmeExampleIsOneTraceWithBaggageToTheLastAgent() throws Exception {
    String archived = runReadmeExample(openTelemetry());

    assertThat(archived).isEqualTo("chapter 1 for acme");
    List<SpanData> spans = spans(5);
    SpanData replySend =
        spans.stream()
            .filter(s -> s.getKind() == SpanKind.PRODUCER)
            .filter(s -> !s.getName().startsWith("send drafts."))
            .findFirst()
            .orElseThrow();
    tree(5)
        .isExactly(
            """
            PRODUCER send drafts.review [writer] links: '%1$s [reviewer]'
              CONSUMER process drafts.review [reviewer] links: parent
                PRODUCER send drafts.archive [reviewer]
                  CONSUMER process drafts.archive [writer] links: parent
                PRODUCER %1$s [reviewer]
            """
                .formatted(replySend.getName()));
  }

  /**
   * The README shows the example as it is compiled.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void theReadmeShowsTheExampleAsItIsCompiled() throws Exception {
    ReadmeSnippets.assertReadmeShows(Path.of("../README.md"), readmeExampleSource());
  }
}
