/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationBudget;
import dev.baton.propagation.ConversationMode;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.RefusedException;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The contract's conversation scenarios: the conversation id ({@code gen_ai.conversation.id})
 * travels with the work on every hop, through request/reply and redelivery, to and from peers that
 * speak only W3C baggage, and a Baton that requires one refuses work without it.
 */
public interface ConversationScenarios extends ContractHarness {

  /** {@code gen_ai.conversation.id}: the conversation id on every span of a conversation. */
  AttributeKey<String> GEN_AI_CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");

  private Agent conversing(String name, ConversationMode mode) throws Exception {
    return agent(name, b -> b.setConversations(mode).addListener(metrics()));
  }

  /**
   * An agent that mints a conversation id: the id travels every hop of a chain and is on every
   * span.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void aMintedConversationTravelsEveryHopAndIsOnEverySpan() throws Exception {
    String run = unique("conv-chain");
    Agent a = conversing("alpha", ConversationMode.MINT);
    Agent b = conversing("beta", ConversationMode.MINT);
    Agent c = conversing("gamma", ConversationMode.MINT);
    CompletableFuture<String> atC = new CompletableFuture<>();
    b.ready(
        b.subscriber().subscribe(run + ".b", m -> b.publisher().publish(run + ".c", m.payload())));
    c.ready(c.subscriber().subscribe(run + ".c", m -> atC.complete(Conversation.current().id())));

    a.publisher().publish(run + ".b", bytes("task"));

    String id = atC.get(20, TimeUnit.SECONDS);
    assertThat(id).as("minted at the first send").matches("[0-9a-f]{32}");
    List<SpanData> spans = spans(4);
    assertThat(spans).hasSize(4);
    assertThat(spans)
        .as("send and process spans on both hops")
        .allSatisfy(s -> assertThat(s.getAttributes().get(GEN_AI_CONVERSATION_ID)).isEqualTo(id));

    // The next task outside any conversation is a conversation of its own.
    CompletableFuture<String> next = new CompletableFuture<>();
    c.ready(c.subscriber().subscribe(run + ".d", m -> next.complete(Conversation.current().id())));
    a.publisher().publish(run + ".d", bytes("another task"));
    assertThat(next.get(20, TimeUnit.SECONDS)).matches("[0-9a-f]{32}").isNotEqualTo(id);
  }

  /**
   * Spend recorded along a chain adds up hop by hop, and each process span shows the totals.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void theLedgerAddsUpAlongTheChainAndIsOnTheProcessSpans() throws Exception {
    String run = unique("conv-ledger");
    Agent a = conversing("alpha", ConversationMode.MINT);
    Agent b = conversing("beta", ConversationMode.MINT);
    Agent c = conversing("gamma", ConversationMode.MINT);
    CompletableFuture<Conversation> atC = new CompletableFuture<>();
    List<Long> seenAtC = new CopyOnWriteArrayList<>();
    b.ready(
        b.subscriber()
            .subscribe(
                run + ".b",
                m -> {
                  Conversation here = Conversation.current();
                  here.addUsage(1200, 340, 0.0125);
                  b.publisher().publish(run + ".c", m.payload());
                }));
    c.ready(
        c.subscriber()
            .subscribe(
                run + ".c",
                m -> {
                  Conversation here = Conversation.current();
                  seenAtC.add(here.hops());
                  seenAtC.add(here.agents());
                  seenAtC.add(here.inputTokens());
                  seenAtC.add(here.outputTokens());
                  here.addUsage(5, 1, 0.0005);
                  seenAtC.add(here.done() ? 1L : 0L);
                  seenAtC.add(here.done() ? 1L : 0L);
                  atC.complete(here);
                }));

    long before = System.currentTimeMillis();
    a.publisher().publish(run + ".b", bytes("task"));

    Conversation atGamma = atC.get(20, TimeUnit.SECONDS);
    assertThat(seenAtC)
        .as("hops, agents, tokens in and out at gamma; done once")
        .containsExactly(2L, 3L, 1200L, 340L, 1L, 0L);
    assertThat(
            registry()
                .get("baton.conversation.tokens")
                .tag("gen_ai.agent.name", "gamma")
                .tag("direction", "input")
                .summary()
                .totalAmount())
        .as("the done conversation's input tokens, one sample")
        .isEqualTo(1205.0);
    assertThat(
            registry()
                .get("baton.conversation.hops")
                .tag("gen_ai.agent.name", "gamma")
                .summary()
                .count())
        .isEqualTo(1);
    assertThat(registry().scrape())
        .as("never a label per conversation")
        .doesNotContain(atGammaId(atC));
    assertThat(atGamma.cost()).isCloseTo(0.013, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(atGamma.startedAt().toEpochMilli())
        .isBetween(before - 5, System.currentTimeMillis());
    assertThat(atGamma.handlerTime()).isPositive();
    SpanData processAtC =
        Await.size(
                "gamma's process span",
                1,
                () ->
                    handOffSpans().stream()
                        .filter(s -> s.getName().equals("process " + run + ".c"))
                        .toList())
            .get(0);
    assertThat(processAtC.getAttributes().get(AttributeKey.longKey("baton.conversation.hops")))
        .isEqualTo(2L);
    assertThat(processAtC.getAttributes().get(AttributeKey.longKey("baton.conversation.agents")))
        .isEqualTo(3L);
    assertThat(
            processAtC.getAttributes().get(AttributeKey.longKey("baton.conversation.input_tokens")))
        .as("what came in and what gamma added")
        .isEqualTo(1205L);
    assertThat(processAtC.getAttributes().get(AttributeKey.doubleKey("baton.conversation.cost")))
        .isCloseTo(0.0130, org.assertj.core.data.Offset.offset(1e-9));
  }

  /**
   * A budget travels with the work; the agent where the conversation goes over refuses it, and
   * nothing goes further.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void aBudgetTravelsWithTheWorkAndStopsItWhereItGoesOver() throws Exception {
    String run = unique("conv-budget");
    Agent a = conversing("alpha", ConversationMode.MINT);
    Agent b = conversing("beta", ConversationMode.MINT);
    Agent c = conversing("gamma", ConversationMode.MINT);
    Agent d = conversing("delta", ConversationMode.MINT);
    Agent strict =
        agent(
            "strict",
            x ->
                x.setConversations(ConversationMode.MINT)
                    .addListener(metrics())
                    .addBudget(
                        run + ".strict", ConversationBudget.builder().setMaxHops(1).build()));
    List<Long> leftAtGamma = new CopyOnWriteArrayList<>();
    AtomicInteger atDelta = new AtomicInteger();
    AtomicInteger atStrict = new AtomicInteger();
    b.ready(
        b.subscriber()
            .subscribe(
                run + ".b",
                m -> {
                  Conversation.current().addUsage(800, 0, 0);
                  b.publisher().publish(run + ".c", m.payload());
                  b.publisher().publish(run + ".strict", m.payload());
                }));
    c.ready(
        c.subscriber()
            .subscribe(
                run + ".c",
                m -> {
                  leftAtGamma.add(Conversation.current().tokensLeft());
                  Conversation.current().addUsage(300, 0, 0);
                  c.publisher().publish(run + ".d", m.payload());
                }));
    d.ready(d.subscriber().subscribe(run + ".d", m -> atDelta.incrementAndGet()));
    strict.ready(strict.subscriber().subscribe(run + ".strict", m -> atStrict.incrementAndGet()));
    strict.ready(strict.subscriber().respond(run + ".ask", null, m -> bytes("answer")));

    try (Scope ignored =
        Conversation.begin("budget-1", ConversationBudget.builder().setMaxTokens(1000).build())
            .makeCurrent()) {
      a.publisher().publish(run + ".b", bytes("task"));
    }

    // delta is over the token budget the caller set (800 + 300 > 1000); strict's own policy
    // allows one hand-off, and the work reaches it on the second.
    Await.until(
        "both refusals counted",
        () ->
            meters().counter("baton.refused.messages", "reason", "budget_tokens") == 1
                && meters().counter("baton.refused.messages", "reason", "budget_hops") == 1);
    assertThat(leftAtGamma).containsExactly(200L);
    assertThat(atDelta).hasValue(0);
    assertThat(atStrict).hasValue(0);
    assertThat(
            meters()
                .counterOn(
                    "baton.refused.messages",
                    run + ".d",
                    "reason",
                    "budget_tokens",
                    "gen_ai.agent.name",
                    "delta"))
        .isEqualTo(1);
    // The refused hop's span says why, with the totals that put it over.
    Await.until(
        "delta's refused process span",
        () -> handOffSpans().stream().anyMatch(s -> s.getName().equals("process " + run + ".d")));
    SpanData refused =
        handOffSpans().stream()
            .filter(s -> s.getName().equals("process " + run + ".d"))
            .findFirst()
            .orElseThrow();
    assertThat(refused.getAttributes().get(AttributeKey.stringKey("baton.refused")))
        .isEqualTo("budget_tokens");
    assertThat(refused.getAttributes().get(AttributeKey.longKey("baton.conversation.input_tokens")))
        .isEqualTo(1100L);
    assertThat(refused.getAttributes().get(AttributeKey.stringKey("gen_ai.conversation.id")))
        .isEqualTo("budget-1");

    // A request over budget gets a refusal its requester can read.
    try (Scope ignored =
        Conversation.begin("budget-2", ConversationBudget.builder().setMaxTokens(10).build())
            .makeCurrent()) {
      Conversation.current().addUsage(50, 0, 0);
      assertThatThrownBy(
              () ->
                  a.publisher()
                      .request(OutboundMessage.of(run + ".ask", "why?"), Duration.ofSeconds(20))
                      .get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(RefusedException.class)
          .satisfies(e -> assertThat(((RefusedException) e).reason()).isEqualTo("budget_tokens"));
    }
  }

  private Agent breakingLoops(String name, String pattern) throws Exception {
    return agent(
        name,
        x ->
            x.setConversations(ConversationMode.MINT).addListener(metrics()).addLoopBreak(pattern));
  }

  /**
   * Two agents bouncing one message are stopped within three rounds.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void twoAgentsBouncingOneMessageAreStoppedWithinThreeRounds() throws Exception {
    String run = unique("conv-loop");
    List<TransportListener.Loop> loops = new CopyOnWriteArrayList<>();
    List<TransportListener.Refused> refusals = new CopyOnWriteArrayList<>();
    TransportListener heard =
        new TransportListener() {
          @Override
          public void onLoop(Loop e) {
            loops.add(e);
          }

          @Override
          public void onRefused(Refused e) {
            refusals.add(e);
          }
        };
    Agent ping = breakingLoops("ping", run + ".*");
    Agent pong =
        agent(
            "pong",
            x ->
                x.setConversations(ConversationMode.MINT)
                    .addListener(metrics())
                    .addListener(heard)
                    .addLoopBreak(run + ".*"));
    AtomicInteger atPing = new AtomicInteger();
    AtomicInteger atPong = new AtomicInteger();
    ping.ready(
        ping.subscriber()
            .subscribe(
                run + ".ping",
                m -> {
                  atPing.incrementAndGet();
                  ping.publisher().publish(run + ".pong", m.payload());
                }));
    pong.ready(
        pong.subscriber()
            .subscribe(
                run + ".pong",
                m -> {
                  atPong.incrementAndGet();
                  pong.publisher().publish(run + ".ping", m.payload());
                }));

    try (Scope ignored = Conversation.begin("bounce-" + run).makeCurrent()) {
      ping.publisher().publish(run + ".pong", bytes("are you sure?"));
    }

    Await.until(
        "the loop stopped",
        () -> meters().counter("baton.refused.messages", "reason", "loop") == 1);
    // The listeners learn which conversation loops, to act on it.
    assertThat(loops)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.cycle()).isEqualTo("ping>pong");
              assertThat(e.stopped()).isTrue();
              assertThat(e.conversationId()).isEqualTo("bounce-" + run);
            });
    assertThat(refusals)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("loop");
              assertThat(e.conversationId()).isEqualTo("bounce-" + run);
            });
    // ping's first send, then pong, ping, pong, ping: pong's third receive closes the third round.
    assertThat(atPong).hasValue(2);
    assertThat(atPing).hasValue(2);
    assertThat(
            meters()
                .counter(
                    "baton.conversation.loops",
                    "cycle",
                    "ping>pong",
                    "action",
                    "stopped",
                    "gen_ai.agent.name",
                    "pong"))
        .isEqualTo(1);
  }

  /**
   * An agent visited again once (A, B, A) is no loop: nothing is refused or reported.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void aSingleVisitBackIsNotALoop() throws Exception {
    String run = unique("conv-revisit");
    Agent coordinator = breakingLoops("coordinator", ">");
    Agent worker = breakingLoops("worker", ">");
    CompletableFuture<Long> back = new CompletableFuture<>();
    worker.ready(
        worker
            .subscriber()
            .subscribe(run + ".work", m -> worker.publisher().publish(run + ".done", m.payload())));
    coordinator.ready(
        coordinator
            .subscriber()
            .subscribe(run + ".done", m -> back.complete(Conversation.current().hops())));

    coordinator.publisher().publish(run + ".work", bytes("task"));

    assertThat(back.get(20, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(meters().counter("baton.conversation.loops")).isZero();
    assertThat(meters().counter("baton.refused.messages")).isZero();
  }

  /**
   * A peer's ledger carries its totals on; a malformed ledger costs only its own figures, never the
   * message.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void aPeerCarriesTheTotalsAndAMalformedLedgerCostsOnlyItself() throws Exception {
    String run = unique("conv-peer-ledger");
    Agent agent = conversing("reader", ConversationMode.MINT);
    List<String> seen = new CopyOnWriteArrayList<>();
    agent.ready(
        agent
            .subscriber()
            .subscribe(
                run,
                m -> {
                  Conversation c = Conversation.current();
                  seen.add(
                      m.payloadAsString()
                          + ":"
                          + c.id()
                          + ":"
                          + c.hops()
                          + ":"
                          + c.agents()
                          + ":"
                          + c.inputTokens()
                          + ":"
                          + m.sender());
                }));
    long now = System.currentTimeMillis() * 1000;

    // A peer in another language writes the totals after its name, as the specification says.
    agent.rawPublish(
        run,
        Map.of(
            "baton",
            List.of(
                "4;"
                    + now
                    + ";;py-planner h=4,a=2.0000000000000011,t0="
                    + (now - 5_000_000)
                    + ",ti=50,future=ignored"),
            "baggage",
            List.of("gen_ai.conversation.id=py-9")),
        bytes("valid"));
    // A malformed ledger: the rest of the header still counts, the totals begin at the send.
    agent.rawPublish(
        run,
        Map.of(
            "baton",
            List.of("1;" + now + ";;py-planner h=zz"),
            "baggage",
            List.of("gen_ai.conversation.id=py-10")),
        bytes("malformed"));

    Await.until("both handled", () -> seen.size() == 2);
    assertThat(seen)
        .containsExactlyInAnyOrder(
            "valid:py-9:4:3:50:py-planner", "malformed:py-10:0:1:0:py-planner");
    Await.until(
        "the malformed ledger counted",
        () -> meters().counter("baton.rejected.contexts", "reason", "invalid_baton_header") == 1);
  }

  private static String atGammaId(CompletableFuture<Conversation> at) throws Exception {
    return at.get(1, TimeUnit.SECONDS).id();
  }

  /**
   * The caller's conversation wins, whether it comes from the current baggage or the message.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void theCallersConversationWinsFromBaggageOrTheMessage() throws Exception {
    String run = unique("conv-caller");
    Agent a = conversing("alpha", ConversationMode.MINT);
    Agent b = conversing("beta", ConversationMode.MINT);
    List<String> seen = new CopyOnWriteArrayList<>();
    b.ready(b.subscriber().subscribe(run, m -> seen.add(Conversation.current().id())));

    try (Scope ignored = Conversation.begin("ticket-4711").makeCurrent()) {
      a.publisher().publish(OutboundMessage.of(run, "in the caller's conversation"));
      a.publisher()
          .publish(OutboundMessage.of(run, "its own").withConversation("side-quest-9"))
          .get(20, TimeUnit.SECONDS);
    }

    Await.until("both handled", () -> seen.size() == 2);
    assertThat(seen).containsExactlyInAnyOrder("ticket-4711", "side-quest-9");
    assertThat(spans(4))
        .extracting(s -> s.getAttributes().get(GEN_AI_CONVERSATION_ID))
        .containsExactlyInAnyOrder("ticket-4711", "ticket-4711", "side-quest-9", "side-quest-9");
  }

  /**
   * A request and its reply stay in the requester's conversation.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void aRequestAndItsReplyStayInTheConversation() throws Exception {
    String run = unique("conv-rr");
    Agent requester = conversing("requester", ConversationMode.MINT);
    Agent responder = conversing("responder", ConversationMode.MINT);
    CompletableFuture<String> atResponder = new CompletableFuture<>();
    responder.ready(
        responder
            .subscriber()
            .respond(
                run,
                null,
                request -> {
                  atResponder.complete(Conversation.current().id());
                  return bytes("verdict");
                }));

    Message reply;
    try (Scope ignored = Conversation.begin("review-17").makeCurrent()) {
      reply =
          requester
              .publisher()
              .request(OutboundMessage.of(run, "draft"), Duration.ofSeconds(20))
              .get(30, TimeUnit.SECONDS);
    }

    assertThat(atResponder.get(20, TimeUnit.SECONDS)).isEqualTo("review-17");
    assertThat(reply.headers().get("baggage")).contains("gen_ai.conversation.id=review-17");
    assertThat(spans(3))
        .as("request send, request process, reply send")
        .allSatisfy(
            s -> assertThat(s.getAttributes().get(GEN_AI_CONVERSATION_ID)).isEqualTo("review-17"));
  }

  /**
   * A redelivered message keeps the conversation a peer started.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void aRedeliveryKeepsTheConversationAPeerStarted() throws Exception {
    String run = unique("conv-redeliver");
    String destination = run + ".tasks";
    Agent worker = conversing("worker", ConversationMode.MINT);
    List<String> seen = new CopyOnWriteArrayList<>();
    worker.ready(
        worker
            .redeliveringSubscriber(destination)
            .subscribe(
                destination,
                "workers",
                m -> {
                  seen.add(m.deliveryCount() + ":" + Conversation.current().id());
                  if (m.deliveryCount() == 1) {
                    throw new IllegalStateException("flaky tool call");
                  }
                }));

    // A peer that speaks only W3C baggage (nats.js, kcat, Python) starts the conversation.
    worker.rawPublish(
        destination,
        Map.of("baggage", List.of("tenant=acme,gen_ai.conversation.id=py-thread-7")),
        bytes("task"));

    Await.until("redelivered and handled", () -> seen.size() == 2);
    assertThat(seen).containsExactly("1:py-thread-7", "2:py-thread-7");
  }

  /**
   * A peer that reads W3C baggage sees the conversation id.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void aPeerReadsTheConversationInW3cBaggage() throws Exception {
    String run = unique("conv-peer");
    Agent relay = conversing("relay", ConversationMode.MINT);

    Map<String, List<String>> onward =
        relayed(relay, run + ".a", Map.of("baggage", List.of("gen_ai.conversation.id=js-42")));
    assertThat(onward.get("baggage")).containsExactly("gen_ai.conversation.id=js-42");

    // No conversation from the peer: the first Baton hop mints one, and the peer reads it.
    Map<String, List<String>> minted = relayed(relay, run + ".b", null);
    assertThat(minted.get("baggage")).hasSize(1);
    assertThat(minted.get("baggage").get(0)).startsWith("gen_ai.conversation.id=");
  }

  /**
   * What a raw peer reads on {@code <run>.out} after it sent {@code headers} to {@code <run>.in},
   * where {@code relay} passes the message on.
   */
  private Map<String, List<String>> relayed(
      Agent relay, String run, @Nullable Map<String, List<String>> headers) throws Exception {
    relay.ready(
        relay
            .subscriber()
            .subscribe(run + ".in", m -> relay.publisher().publish(run + ".out", m.payload())));
    return relay.rawReceive(
        run + ".out",
        () -> {
          relay.rawPublish(run + ".in", headers, bytes("from a peer"));
          return null;
        });
  }

  /**
   * With conversations off, no conversation is minted or recorded.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void withConversationsOffNoneIsMintedOrRecorded() throws Exception {
    String run = unique("conv-off");
    Agent a = agent("alpha");
    Agent b = agent("beta");
    CompletableFuture<Boolean> inConversation = new CompletableFuture<>();
    b.ready(
        b.subscriber()
            .subscribe(run, m -> inConversation.complete(Conversation.current() != null)));

    Map<String, List<String>> headers =
        a.rawReceive(
            run,
            () ->
                a.publisher().publish(OutboundMessage.of(run, "plain")).get(20, TimeUnit.SECONDS));

    assertThat(inConversation.get(20, TimeUnit.SECONDS)).isFalse();
    assertThat(headers).doesNotContainKey("baggage");
    assertThat(spans(2))
        .allSatisfy(s -> assertThat(s.getAttributes().get(GEN_AI_CONVERSATION_ID)).isNull());
  }

  /**
   * An agent that requires a conversation refuses work without one, and says why.
   *
   * @throws Exception when the broker fails
   */
  @Test
  default void requiringAConversationRefusesWorkWithoutOne() throws Exception {
    String run = unique("conv-require");
    Agent strict = conversing("strict", ConversationMode.REQUIRE);
    Agent minting = conversing("minting", ConversationMode.MINT);
    Agent plain = agent("plain"); // conversations off: it sends none
    AtomicInteger handled = new AtomicInteger();
    List<String> conversations = new CopyOnWriteArrayList<>();
    strict.ready(
        strict
            .subscriber()
            .subscribe(
                run + ".work",
                m -> {
                  handled.incrementAndGet();
                  conversations.add(Conversation.current().id());
                }));
    strict.ready(strict.subscriber().respond(run + ".ask", null, m -> bytes("answer")));

    // A send outside any conversation fails before anything is sent.
    assertThatThrownBy(() -> strict.publisher().publish(run + ".work", bytes("none")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Conversation.begin");

    // Work without a conversation is refused: the handler does not run.
    plain.publisher().publish(OutboundMessage.of(run + ".work", "none")).get(20, TimeUnit.SECONDS);
    minting
        .publisher()
        .publish(OutboundMessage.of(run + ".work", "some").withConversation("c-1"))
        .get(20, TimeUnit.SECONDS);
    Await.until(
        "the refusal counted",
        () ->
            meters().counterOn("baton.processed.messages", run + ".work", "outcome", "refused")
                == 1);
    Await.until("the message in a conversation handled", () -> handled.get() == 1);
    assertThat(conversations).containsExactly("c-1");

    // A request without one gets a refusal it can read.
    assertThatThrownBy(
            () ->
                plain
                    .publisher()
                    .request(OutboundMessage.of(run + ".ask", "why?"), Duration.ofSeconds(20))
                    .get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(RefusedException.class)
        .satisfies(
            e -> assertThat(((RefusedException) e).reason()).isEqualTo("conversation_required"));

    SpanData refused =
        Await.size(
                "the refused process spans",
                2,
                () ->
                    handOffSpans().stream()
                        .filter(s -> s.getKind() == SpanKind.CONSUMER)
                        .filter(
                            s ->
                                s.getAttributes().get(AttributeKey.stringKey("baton.refused"))
                                    != null)
                        .toList())
            .get(0);
    assertThat(refused.getAttributes().get(AttributeKey.stringKey("baton.refused")))
        .isEqualTo("conversation_required");
    assertThat(refused.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }
}
