package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.ConsumerStatus;
import dev.baton.metrics.PrometheusScrape;
import dev.baton.metrics.TraceExemplars;
import dev.baton.propagation.Baton;
import dev.baton.propagation.Continuation;
import dev.baton.propagation.HandlerCost;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.Publisher;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.data.Offset;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
  private static final AttributeKey<String> EXEMPLAR = AttributeKey.stringKey("exemplar");
  public static final AttributeKey<Long> DELIVERY_COUNT =
      AttributeKey.longKey("baton.message.delivery_count");

  /** One agent's view of the transport. */
  public interface Agent extends AutoCloseable {
    Publisher publisher();

    Subscriber subscriber();

    /** Returns once {@code subscription} is sure to receive what is published from now on. */
    void ready(Subscription subscription) throws Exception;

    /**
     * A subscriber whose broker redelivers a message whose handler threw (JetStream, Kafka's
     * failure policy), with whatever {@code destination} needs prepared (a stream, a topic).
     */
    Subscriber redeliveringSubscriber(String destination) throws Exception;

    /** Publishes with the raw broker client: exactly these headers ({@code null}: none). */
    void rawPublish(String destination, @Nullable Map<String, List<String>> headers, byte[] payload)
        throws Exception;

    /**
     * Subscribes with the raw broker client, runs {@code publish}, and returns the headers of the
     * first message that arrives.
     */
    Map<String, List<String>> rawReceive(String destination, Callable<?> publish) throws Exception;

    /**
     * Publishes where {@link #redeliveringSubscriber} consumes with the broker's acknowledgement
     * (JetStream's publisher on NATS); the transport's plain publisher by default.
     */
    default Publisher durablePublisher() {
      return publisher();
    }

    /** Reads the backlog now (consumer lag, queue depth) instead of on the probe's schedule. */
    void probe();

    /** Whether the raw client and the broker can carry these headers at all. */
    default boolean canCarry(@Nullable Map<String, List<String>> headers) {
      return true;
    }
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

  /**
   * Runs the transport's README example with {@code openTelemetry}: a writer asks a reviewer for a
   * verdict on {@code drafts.review}, the reviewer forwards the draft on {@code drafts.archive},
   * and the writer's own subscription receives it; returns what it received.
   */
  protected abstract String runReadmeExample(OpenTelemetry openTelemetry) throws Exception;

  /** The source file of that example, whose marked lines the README must show verbatim. */
  protected abstract Path readmeExampleSource();

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
    return agent(name, OTEL.getOpenTelemetry(), config);
  }

  /** An agent whose {@code OpenTelemetry} is {@code openTelemetry} (other propagators). */
  protected final Agent agent(
      String name, OpenTelemetry openTelemetry, Consumer<Baton.Builder> config) throws Exception {
    Baton.Builder builder = Baton.builder(openTelemetry).setAgentName(name);
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

  /** The tree of exactly {@code count} finished send and process spans. */
  protected static SpanTree tree(int count) {
    List<SpanData> spans = spans(count);
    assertThat(spans).as("send and process spans").hasSize(count);
    return SpanTree.of(spans);
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

  @Test
  void newTraceWithLinkDestinationStartsALinkedTrace() throws Exception {
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

  @Test
  void aFailedHandlerIsRedeliveredAndNothingIsLost() throws Exception {
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

  @Test
  void aRawClientSeesOneW3cTraceparentFromBaton() throws Exception {
    String destination = unique("raw") + ".in";
    Agent producer = agent("producer");
    String stale = "00-11111111111111111111111111111111-1111111111111111-01";

    Map<String, List<String>> headers =
        producer.rawReceive(
            destination,
            () ->
                producer
                    .publisher()
                    .publish(
                        OutboundMessage.of(destination, "hi")
                            .withHeader("traceparent", stale)
                            .withHeader("x-app", "kept")));

    assertThat(headers.get("traceparent")).hasSize(1);
    assertThat(headers.get("traceparent").get(0))
        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")
        .isNotEqualTo(stale);
    assertThat(headers.get("x-app")).containsExactly("kept");
    // Baton's one header: hop 1, the sent-at stamp in µs, an id (here or in the transport's id
    // header), the agent's name; never the four separate headers of earlier versions.
    assertThat(headers.get("baton"))
        .singleElement(InstanceOfAssertFactories.STRING)
        .matches("1;\\d{16};([0-9a-f]{32})?;producer");
    assertThat(headers).doesNotContainKeys("baton-agent", "baton-sent-at", "baton-hops");
  }

  /** The span current in a handler, as finished data, one per message. */
  private static MessageHandlerSpy spy() {
    return new MessageHandlerSpy();
  }

  private static final class MessageHandlerSpy implements MessageHandler {
    final List<SpanData> seen = new CopyOnWriteArrayList<>();

    @Override
    public void handle(Message message) {
      seen.add(((ReadableSpan) Span.current()).toSpanData());
    }

    SpanData await() {
      Await.until("a message handled", () -> !seen.isEmpty());
      return seen.get(0);
    }
  }

  @ParameterizedTest(name = "B3 {0}")
  @ValueSource(strings = {"single", "multi"})
  void aB3PropagatorOnOpenTelemetryCarriesTheTraceBothWays(String variant) throws Exception {
    TextMapPropagator b3 =
        variant.equals("single") ? ConfiguredPropagators.B3_SINGLE : ConfiguredPropagators.B3_MULTI;
    OpenTelemetry otel = ConfiguredPropagators.with(OTEL.getOpenTelemetry(), b3);
    RecordingListener listener = new RecordingListener();
    Agent agent = agent("b3-agent", otel, b -> b.addListener(listener));

    // Baton to an outside B3 reader: B3's headers name the send span, beside W3C's.
    String out = unique("b3") + ".out";
    Map<String, List<String>> headers =
        agent.rawReceive(
            out, () -> agent.publisher().publish(OutboundMessage.of(out, bytes("to zipkin"))));
    SpanData send = span(spans(1), "send " + out, "b3-agent");
    SpanContext read = ConfiguredPropagators.read(b3, headers);
    assertThat(read.getTraceId()).isEqualTo(send.getTraceId());
    assertThat(read.getSpanId()).isEqualTo(send.getSpanId());
    assertThat(headers.get("traceparent")).singleElement().asString().contains(send.getSpanId());
    assertThat(headers).containsKey(variant.equals("single") ? "b3" : "X-B3-TraceId");

    // An outside B3 writer to Baton: the process span continues its trace, nothing rejected.
    String in = unique("b3") + ".in";
    MessageHandlerSpy handler = spy();
    agent.ready(agent.subscriber().subscribe(in, handler));
    SpanContext zipkin = ConfiguredPropagators.remote(HostileHeaders.TRACE, HostileHeaders.SPAN);
    agent.rawPublish(in, ConfiguredPropagators.headers(b3, zipkin), bytes("from zipkin"));
    SpanData process = handler.await();
    assertThat(process.getTraceId()).isEqualTo(HostileHeaders.TRACE);
    assertThat(process.getParentSpanId()).isEqualTo(HostileHeaders.SPAN);
    Await.until("processed", () -> listener.processed.size() == 1);
    assertThat(listener.rejected).isEmpty();
  }

  @Test
  void whenW3cAndTheConfiguredPropagatorDisagreeOnTheWireW3cWins() throws Exception {
    OpenTelemetry otel =
        ConfiguredPropagators.with(OTEL.getOpenTelemetry(), ConfiguredPropagators.B3_SINGLE);
    RecordingListener listener = new RecordingListener();
    Agent agent = agent("b3-agent", otel, b -> b.addListener(listener));
    String in = unique("b3") + ".both";
    MessageHandlerSpy handler = spy();
    agent.ready(agent.subscriber().subscribe(in, handler));
    Map<String, List<String>> headers =
        new LinkedHashMap<>(
            ConfiguredPropagators.headers(
                ConfiguredPropagators.B3_SINGLE,
                ConfiguredPropagators.remote(
                    "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")));
    headers.put(
        "traceparent", List.of("00-" + HostileHeaders.TRACE + "-" + HostileHeaders.SPAN + "-01"));

    agent.rawPublish(in, headers, bytes("two contexts"));

    SpanData process = handler.await();
    assertThat(process.getTraceId()).isEqualTo(HostileHeaders.TRACE);
    assertThat(process.getParentSpanId()).isEqualTo(HostileHeaders.SPAN);
    Await.until("rejection reported", () -> !listener.rejected.isEmpty());
    assertThat(listener.inboundReasons()).containsExactly(RejectionReason.CONFLICTING_CONTEXT);
  }

  @Test
  void aRawMessageWithoutHeadersStartsANewTrace() throws Exception {
    String destination = unique("plain") + ".in";
    RecordingListener listener = new RecordingListener();
    Agent consumer = agent("consumer", b -> b.addListener(listener));
    CompletableFuture<Message> got = new CompletableFuture<>();
    consumer.ready(consumer.subscriber().subscribe(destination, got::complete));

    consumer.rawPublish(destination, null, bytes("legacy"));

    Message message = got.get(20, TimeUnit.SECONDS);
    assertThat(message.payloadAsString()).isEqualTo("legacy");
    assertThat(message.sender()).isNull();
    assertThat(message.id()).matches("[0-9a-f]{32}");
    tree(1).isExactly("CONSUMER process %s [consumer]".formatted(destination));
    assertThat(listener.inboundReasons()).containsExactly(RejectionReason.MISSING_CONTEXT);
  }

  @Test
  void badInputOverTheWireNeverReachesTheHandlerAsAnException() throws Exception {
    String destination = unique("hostile") + ".in";
    RecordingListener listener = new RecordingListener();
    Agent consumer = agent("consumer", b -> b.addListener(listener));
    List<SpanData> seen = new CopyOnWriteArrayList<>();
    consumer.ready(
        consumer
            .subscriber()
            .subscribe(destination, m -> seen.add(((ReadableSpan) Span.current()).toSpanData())));
    List<HostileHeaders.Row> rows =
        HostileHeaders.rows().stream().filter(r -> consumer.canCarry(r.headers())).toList();
    assertThat(rows.size()).as("rows this transport can carry").isGreaterThan(20);

    for (int i = 0; i < rows.size(); i++) {
      HostileHeaders.Row row = rows.get(i);
      int before = listener.rejected.size();
      consumer.rawPublish(destination, row.headers(), bytes(Integer.toString(i)));
      int expected = i + 1;
      Await.until(row.name() + " handled", () -> seen.size() == expected);
      Await.until(row.name() + " processed", () -> listener.processed.size() == expected);

      SpanData span = seen.get(i);
      if (row.continues()) {
        assertThat(span.getTraceId()).as(row.name()).isEqualTo(HostileHeaders.TRACE);
        assertThat(span.getParentSpanId()).as(row.name()).isEqualTo(HostileHeaders.SPAN);
      } else {
        assertThat(span.getParentSpanContext().isValid()).as(row.name()).isFalse();
      }
      Set<RejectionReason> reasons =
          listener.rejected.subList(before, listener.rejected.size()).stream()
              .map(TransportListener.RejectedContext::reason)
              .collect(Collectors.toSet());
      assertThat(reasons).as(row.name()).isEqualTo(row.reasons());
    }
    assertThat(listener.processed)
        .extracting(TransportListener.Processed::outcome)
        .containsOnly(Outcome.ACK);
  }

  // ---- the README example ----

  @Test
  void theReadmeExampleIsOneTraceWithBaggageToTheLastAgent() throws Exception {
    String archived = runReadmeExample(OTEL.getOpenTelemetry());

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

  @Test
  void theReadmeShowsTheExampleAsItIsCompiled() throws Exception {
    ReadmeSnippets.assertReadmeShows(Path.of("../README.md"), readmeExampleSource());
  }

  // ---- backplane metrics, read from the registry ----

  private final PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry();
  private final Meters meters = new Meters(registry);
  private final BackplaneMetrics metrics = metricsBoundTo(registry);

  private static BackplaneMetrics metricsBoundTo(PrometheusMeterRegistry registry) {
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    return metrics;
  }

  /** An agent whose events feed this test's {@link BackplaneMetrics}. */
  protected final Agent measuredAgent(String name) throws Exception {
    return agent(name, b -> b.addListener(metrics));
  }

  @Test
  void sentReceivedAndProcessedCountExactlyWhatWasSent() throws Exception {
    String destination = unique("count") + ".jobs";
    Agent agent = measuredAgent("counter");
    AtomicInteger handled = new AtomicInteger();
    agent.ready(agent.subscriber().subscribe(destination, m -> handled.incrementAndGet()));
    int count = 137;

    for (int i = 0; i < count; i++) {
      agent.publisher().publish(OutboundMessage.of(destination, "m" + i));
    }

    Await.until("all handled", () -> handled.get() == count);
    Await.until(
        "all sends counted",
        () -> meters.counterOn("messaging.client.sent.messages", destination) == count);
    Await.until(
        "all processed", () -> meters.counterOn("baton.processed.messages", destination) == count);
    assertThat(meters.counterOn("messaging.client.consumed.messages", destination))
        .isEqualTo(count);
    assertThat(meters.counterOn("baton.processed.messages", destination, "outcome", "success"))
        .isEqualTo(count);
    assertThat(
            registry
                .get("baton.agent.messages")
                .tag("from_agent", "counter")
                .tag("to_agent", "counter")
                .counter()
                .count())
        .isEqualTo(count);
  }

  private static final AttributeKey<Double> HANDLER_CPU =
      AttributeKey.doubleKey("baton.handler.cpu_time");
  private static final AttributeKey<Long> HANDLER_ALLOCATED =
      AttributeKey.longKey("baton.handler.allocated_bytes");
  private static volatile byte @Nullable [] kept;

  @Test
  void theHandlersCostOfARealHopIsOnItsProcessSpanAndTheAgentsMeters() throws Exception {
    String destination = unique("cost") + ".jobs";
    Agent agent =
        agent(
            "spender", b -> b.addListener(metrics).setHandlerCost(HandlerCost.ALLOCATIONS_AND_CPU));
    agent.ready(
        agent
            .subscriber()
            .subscribe(
                destination,
                m -> {
                  // 4 MiB allocated, at least 20 ms of this thread's CPU
                  byte[] block = new byte[4 << 20];
                  ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                  long until = threads.getCurrentThreadCpuTime() + 20_000_000;
                  long x = 0;
                  while (threads.getCurrentThreadCpuTime() < until) {
                    x += System.nanoTime() % 7;
                  }
                  block[0] = (byte) x;
                  kept = block;
                }));

    agent.publisher().publish(OutboundMessage.of(destination, "work"));

    SpanData process =
        Await.size(
                "the process span",
                1,
                () ->
                    handOffSpans().stream()
                        .filter(sp -> sp.getName().equals("process " + destination))
                        .toList())
            .get(0);
    Double cpu = process.getAttributes().get(HANDLER_CPU);
    Long allocated = process.getAttributes().get(HANDLER_ALLOCATED);
    assertThat(allocated).as("bytes the handler allocated").isBetween(4L << 20, 64L << 20);
    assertThat(cpu)
        .as("the handler's CPU seconds, within its wall time")
        .isBetween(0.020, (process.getEndEpochNanos() - process.getStartEpochNanos()) / 1e9);
    Await.until(
        "the cost on the agent's meters",
        () -> meters.counterOn("baton.handler.allocated", destination) > 0);
    assertThat(
            meters.counterOn(
                "baton.handler.allocated", destination, "gen_ai.agent.name", "spender"))
        .as("the meter counts exactly the span's bytes")
        .isEqualTo(allocated.doubleValue());
    assertThat(
            meters.counterOn("baton.handler.cpu.time", destination, "gen_ai.agent.name", "spender"))
        .as("the meter counts exactly the span's CPU seconds")
        .isCloseTo(cpu, Offset.offset(1e-9));
  }

  @Test
  void theLatencyHistogramsCarryTheProcessSpanOfAMessageAsExemplarInOpenMetrics() throws Exception {
    String destination = unique("exemplar") + ".jobs";
    Agent agent = measuredAgent("sampler");
    AtomicReference<SpanContext> handledIn = new AtomicReference<>();
    agent.ready(
        agent
            .subscriber()
            .subscribe(destination, m -> handledIn.set(Span.current().getSpanContext())));

    agent.publisher().publish(OutboundMessage.of(destination, "x"));

    Await.until("processed", () -> meters.counterOn("baton.processed.messages", destination) == 1);
    SpanContext process = handledIn.get();
    String scrape;
    try (PrometheusScrape server =
        PrometheusScrape.start(
            registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      HttpRequest request =
          HttpRequest.newBuilder(server.uri())
              .header("Accept", "application/openmetrics-text; version=1.0.0")
              .build();
      scrape =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
    String exemplar =
        "# {span_id=\"%s\",trace_id=\"%s\"}".formatted(process.getSpanId(), process.getTraceId());
    for (String histogram :
        List.of(
            "baton_delivery_latency_seconds_bucket", "messaging_process_duration_seconds_bucket")) {
      assertThat(
              scrape
                  .lines()
                  .filter(l -> l.startsWith(histogram + "{"))
                  .filter(l -> l.contains("messaging_destination_name=\"" + destination + "\""))
                  .filter(l -> l.contains(exemplar)))
          .as("%s's exemplar is the process span %s", histogram, process)
          .hasSize(1);
    }
    SpanData processSpan =
        spans(2).stream()
            .filter(s -> s.getSpanContext().getSpanId().equals(process.getSpanId()))
            .findFirst()
            .orElseThrow();
    assertThat(processSpan.getName()).isEqualTo("process " + destination);
    assertThat(processSpan.getAttributes().get(EXEMPLAR)).isEqualTo("true");
  }

  @Test
  void aMessageStampedOneAndAHalfSecondsAgoLandsInTheRightLatencyBucket() throws Exception {
    // The stamp is 1.5 s old: it cannot land at or under 1 s, and has 1 s to spare under 2.5 s,
    // whatever the scheduler does on a loaded machine.
    String destination = unique("late") + ".in";
    Agent agent = measuredAgent("receiver");
    CountDownLatch got = new CountDownLatch(1);
    agent.ready(agent.subscriber().subscribe(destination, m -> got.countDown()));
    long stampMicros = (System.currentTimeMillis() - 1500) * 1000;

    agent.rawPublish(
        destination, Map.of("baton-sent-at", List.of(Long.toString(stampMicros))), bytes("x"));

    assertThat(got.await(20, TimeUnit.SECONDS)).isTrue();
    Await.until(
        "the delivery latency recorded",
        () -> meters.counterOn("messaging.client.consumed.messages", destination) == 1);
    CountAtBucket[] buckets =
        registry
            .get("baton.delivery.latency")
            .tag("messaging.destination.name", destination)
            .timer()
            .takeSnapshot()
            .histogramCounts();
    assertThat(countAt(buckets, 1.0)).isZero();
    assertThat(countAt(buckets, 2.5)).isEqualTo(1);
  }

  private static double countAt(CountAtBucket[] buckets, double seconds) {
    return Arrays.stream(buckets)
        .filter(b -> b.bucket(TimeUnit.SECONDS) == seconds)
        .findFirst()
        .orElseThrow()
        .count();
  }

  /**
   * What a transport adds to the backlog events of {@link
   * #aThousandMessagesBehindAPausedHandlerReadAsALagOfExactlyAThousand} while the handler is paused
   * (a partition, messages in flight); nothing by default.
   */
  protected void assertBacklogWhilePaused(TransportListener.Backlog backlog) {}

  @Test
  void aThousandMessagesBehindAPausedHandlerReadAsALagOfExactlyAThousand() throws Exception {
    String destination = unique("lag") + ".jobs";
    RecordingListener events = new RecordingListener();
    Agent producer = measuredAgent("producer");
    Agent worker = agent("worker", b -> b.addListener(metrics).addListener(events));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    worker.ready(
        worker
            .redeliveringSubscriber(destination)
            .subscribe(
                destination,
                "laggards",
                m -> {
                  if (!m.payloadAsString().equals("warm-up")) {
                    release.await(60, TimeUnit.SECONDS);
                  }
                  handled.incrementAndGet();
                }));
    producer
        .durablePublisher()
        .publish(OutboundMessage.of(destination, "warm-up"))
        .get(30, TimeUnit.SECONDS);
    Await.until(
        "warm-up handled and acknowledged",
        () -> {
          worker.probe();
          return handled.get() == 1 && meters.gaugeOn("baton.consumer.lag", destination) == 0;
        });

    for (int i = 0; i < 999; i++) {
      producer.durablePublisher().publish(OutboundMessage.of(destination, "job-" + i));
    }
    producer
        .durablePublisher()
        .publish(OutboundMessage.of(destination, "job-999"))
        .get(30, TimeUnit.SECONDS);

    Await.until(
        "a lag of exactly 1,000",
        () -> {
          worker.probe();
          return meters.gaugeOn("baton.consumer.lag", destination) == 1000;
        });
    double firstAge = meters.gaugeOn("baton.consumer.lag.time", destination);
    Await.until(
        "the lag in seconds grows while paused",
        () -> {
          worker.probe();
          return meters.gaugeOn("baton.consumer.lag.time", destination) > firstAge;
        });
    TransportListener.Backlog paused = lastBacklog(events);
    assertThat(paused.destination()).isEqualTo(destination);
    assertThat(paused.group()).isEqualTo("laggards");
    assertThat(paused.lagMessages()).isEqualTo(1000);
    assertBacklogWhilePaused(paused);
    release.countDown();
    Await.until("drained", Duration.ofSeconds(60), () -> handled.get() == 1001);
    Await.until(
        "caught up",
        () -> {
          worker.probe();
          return meters.gaugeOn("baton.consumer.lag", destination) == 0;
        });
    assertThat(meters.gaugeOn("baton.consumer.lag.time", destination)).isZero();
    assertThat(lastBacklog(events).lagSeconds()).isZero();
    assertThat(metrics.status(system(), destination, "laggards")).isEqualTo(ConsumerStatus.OK);
  }

  private static TransportListener.Backlog lastBacklog(RecordingListener events) {
    assertThat(events.backlog).as("backlog events").isNotEmpty();
    return events.backlog.get(events.backlog.size() - 1);
  }
}
