package dev.baton.propagation.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.Baton;
import dev.baton.propagation.Continuation;
import dev.baton.transport.Message;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scenarios every Baton transport must pass, asserted on exact span trees. A transport's test
 * extends this and says how to open an agent's transport on its broker.
 */
public abstract class TransportContract {

  @RegisterExtension
  protected static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  public static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
  public static final AttributeKey<String> SENDER_NAME =
      AttributeKey.stringKey("baton.sender.agent.name");
  public static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  public static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("messaging.message.conversation_id");
  public static final AttributeKey<Long> HOP = AttributeKey.longKey("baton.hop");

  /** One agent's view of the transport. */
  public interface Agent extends AutoCloseable {
    Publisher publisher();

    Subscriber subscriber();

    /** Returns once {@code subscription} is sure to receive what is published from now on. */
    void ready(Subscription subscription) throws Exception;
  }

  private final List<AutoCloseable> opened = new ArrayList<>();

  /** The transport's {@code messaging.system}. */
  protected abstract String system();

  /** Whether reply destinations are temporary (NATS inboxes) rather than a standing topic. */
  protected boolean repliesUseTemporaryDestinations() {
    return true;
  }

  /** Opens a new agent (its own broker connection) instrumented by {@code baton}. */
  protected abstract Agent open(Baton baton) throws Exception;

  @AfterEach
  void closeAgents() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    opened.clear();
  }

  protected final Agent agent(String name) throws Exception {
    return agent(name, b -> {});
  }

  protected final Agent agent(String name, Consumer<Baton.Builder> config) throws Exception {
    Baton.Builder builder = Baton.builder(OTEL.getOpenTelemetry()).setAgentName(name);
    config.accept(builder);
    Agent agent = open(builder.build());
    opened.add(agent);
    return agent;
  }

  protected static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The finished send and process spans (a transport's batch {@code poll} spans are left out: they
   * are asserted by that transport's own tests).
   */
  protected static List<SpanData> spans(int atLeast) {
    return Await.size("finished spans", atLeast, TransportContract::handOffSpans);
  }

  private static List<SpanData> handOffSpans() {
    return OTEL.getSpans().stream()
        .filter(s -> s.getKind() == SpanKind.PRODUCER || s.getKind() == SpanKind.CONSUMER)
        .toList();
  }

  protected static SpanData span(List<SpanData> spans, String name, String agent) {
    List<SpanData> found =
        spans.stream()
            .filter(
                s -> s.getName().equals(name) && agent.equals(s.getAttributes().get(AGENT_NAME)))
            .toList();
    assertThat(found).as("spans named '%s' by %s in %s", name, agent, spans).hasSize(1);
    return found.get(0);
  }

  protected static void assertChildAndLinked(SpanData child, SpanData parent) {
    assertThat(child.getTraceId()).isEqualTo(parent.getTraceId());
    assertThat(child.getParentSpanId()).isEqualTo(parent.getSpanId());
    assertThat(child.getLinks())
        .extracting(LinkData::getSpanContext)
        .extracting(SpanContext::getSpanId)
        .contains(parent.getSpanId());
  }

  @Test
  void threeAgentChainIsOneTraceWithBaggageToTheEnd() throws Exception {
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
    List<SpanData> spans = spans(6);
    assertThat(spans).hasSize(6);
    assertThat(spans.stream().map(SpanData::getTraceId).distinct()).hasSize(1);
    SpanData sendAb = span(spans, "send " + run + ".b", "alpha");
    SpanData processB = span(spans, "process " + run + ".b", "beta");
    SpanData sendBc = span(spans, "send " + run + ".c", "beta");
    SpanData processC = span(spans, "process " + run + ".c", "gamma");
    SpanData sendCa = span(spans, "send " + run + ".a", "gamma");
    SpanData processA = span(spans, "process " + run + ".a", "alpha");

    assertThat(sendAb.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(sendAb.getParentSpanContext().isValid()).isFalse();
    assertChildAndLinked(processB, sendAb);
    assertThat(sendBc.getParentSpanId()).isEqualTo(processB.getSpanId());
    assertChildAndLinked(processC, sendBc);
    assertThat(sendCa.getParentSpanId()).isEqualTo(processC.getSpanId());
    assertChildAndLinked(processA, sendCa);
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

  @Test
  void requestReplyContinuesTheTrace() throws Exception {
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
    SpanData request = span(spans, "send " + run + ".svc", "requester");
    SpanData handling = span(spans, "process " + run + ".svc", "responder");
    SpanData replySend =
        spans.stream()
            .filter(
                s ->
                    s.getKind() == SpanKind.PRODUCER
                        && "responder".equals(s.getAttributes().get(AGENT_NAME)))
            .findFirst()
            .orElseThrow();
    assertThat(request.getParentSpanContext().isValid()).isFalse();
    assertChildAndLinked(handling, request);
    assertThat(replySend.getParentSpanId()).isEqualTo(handling.getSpanId());
    assertThat(replySend.getTraceId()).isEqualTo(request.getTraceId());
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

  @Test
  void requestTimeoutIsAnErrorSpan() throws Exception {
    String run = unique("slow");
    Agent requester = agent("requester");
    Agent silent = agent("silent");
    silent.ready(silent.subscriber().subscribe(run + ".svc", m -> {}));

    CompletableFuture<Message> future =
        requester.publisher().request(run + ".svc", bytes("ping"), Duration.ofMillis(300));

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    List<SpanData> spans = spans(2);
    SpanData request = span(spans, "send " + run + ".svc", "requester");
    assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(request.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("timeout");
  }

  @Test
  void newTraceWithLinkDestinationStartsALinkedTrace() throws Exception {
    String run = unique("audit");
    Agent sender = agent("sender");
    Agent auditor =
        agent(
            "auditor", b -> b.setContinuation(run + ".audit.>", Continuation.NEW_TRACE_WITH_LINK));
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
    List<SpanData> spans = spans(2);
    SpanData send = span(spans, "send " + run + ".audit.events", "sender");
    SpanData process = span(spans, "process " + run + ".audit.events", "auditor");
    assertThat(process.getTraceId()).isNotEqualTo(send.getTraceId());
    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getLinks()).hasSize(1);
    assertThat(process.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getLinks().get(0).getSpanContext().getTraceId())
        .isEqualTo(send.getTraceId());
    assertThat(baggage.get()).as("baggage still rides along").isEqualTo("acme");
  }

  @Test
  void hopLimitSplitsARunawayLoopIntoLinkedTraces() throws Exception {
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

  private static void bounce(Agent self, String to, Message m, int limit, CountDownLatch done) {
    int n = Integer.parseInt(m.payloadAsString());
    if (n >= limit) {
      done.countDown();
    } else {
      self.publisher().publish(to, bytes(Integer.toString(n + 1)));
    }
  }

  @Test
  void queueGroupProcessesEachMessageOnceInItsOwnTrace() throws Exception {
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
}
