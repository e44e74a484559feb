/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.docs;

import static dev.baton.health.Criticality.NON_CRITICAL;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.AgentGraph;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.health.HeartbeatMonitor;
import dev.baton.health.HeartbeatPublisher;
import dev.baton.health.Heartbeats;
import dev.baton.health.JdbcHealthCheck;
import dev.baton.health.ShowDetails;
import dev.baton.metrics.BacklogLimits;
import dev.baton.metrics.BackplaneChecks;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.PrometheusScrape;
import dev.baton.metrics.SpanExportWatch;
import dev.baton.metrics.TraceExemplars;
import dev.baton.propagation.BaggagePolicy;
import dev.baton.propagation.Baton;
import dev.baton.propagation.Continuation;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationBudget;
import dev.baton.propagation.ConversationMode;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.SharedKafka;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Publisher;
import dev.baton.transport.Transport;
import dev.baton.transport.TransportListener;
import dev.baton.transport.kafka.FailurePolicy;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.kafka.KafkaHealthCheck;
import dev.baton.transport.nats.NatsBaton;
import dev.baton.transport.nats.NatsErrorListener;
import dev.baton.transport.nats.NatsHealthCheck;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The Java examples of the docs/ pages, compiled and run here on a real nats-server, a real Kafka
 * broker and the machine's PostgreSQL. Each region between {@code // docs example: start} and
 * {@code // docs example: end} is what a page shows; {@code DocBlocksTest} fails when a page's
 * block and its region differ. The lines around a region give it what the page takes as given (a
 * connection, an {@code OpenTelemetry}) and check what it did.
 */
class DocsExamplesTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final OpenTelemetry openTelemetry = OTEL.getOpenTelemetry();
  private final OpenTelemetry otel = openTelemetry;
  private final byte[] payload = "draft".getBytes(UTF_8);
  private final HttpClient http = HttpClient.newHttpClient();

  /** docs/concepts.md */
  @Test
  void concepts() throws Exception {
    TransportListener observer = new TransportListener() {};
    // spotless:off
    // docs example: start
    Baton baton = Baton.builder(openTelemetry)
        .setAgentName("planner")                                   // printable ASCII, in a header
        .addContinuation("audit.>", Continuation.NEW_TRACE_WITH_LINK) // NATS wildcards, first rule wins
        .setHopLimit(20)                                           // default 64
        .setBaggagePolicy(BaggagePolicy.builder().addAllowedKeys(List.of("task", "tenant")).setMaxBytes(2048).build())
        .addListener(observer)                                     // TransportListener
        .addHousekeeping("status.*.ping")                          // quiet, like the heartbeats
        .build();
    // docs example: end
    // spotless:on
    assertThat(baton.agentName()).isEqualTo("planner");
    try (Connection connection = Nats.connect(NATS.url());
        Transport bus = NatsBaton.create(baton, connection)) {
      Queue<String> traces = new ConcurrentLinkedQueue<>();
      bus.subscriber()
          .subscribe(
              "audit.log",
              "auditors",
              m ->
                  traces.add(
                      io.opentelemetry.api.trace.Span.current().getSpanContext().getTraceId()));
      String sender;
      var span = openTelemetry.getTracer("docs").spanBuilder("task").startSpan();
      try (Scope s = span.makeCurrent()) {
        sender = span.getSpanContext().getTraceId();
        bus.publisher().publish("audit.log", payload);
      } finally {
        span.end();
      }
      Await.until("the audit message is handled", () -> traces.size() == 1);
      assertThat(traces.peek()).as("audit.> starts a new trace").isNotEqualTo(sender);
    }
  }

  /** docs/conversations.md, the first example. */
  @Test
  void conversations() throws Exception {
    try (Connection connection = Nats.connect(NATS.url())) {
      // spotless:off
      // docs example: start
      Baton baton = Baton.builder(openTelemetry).setConversations(ConversationMode.MINT).build();
      Transport bus = NatsBaton.create(baton, connection);
      bus.subscriber().subscribe("plan", "planners", msg -> handle(msg, Conversation.current().id())); // in any handler
      Publisher publisher = bus.publisher();

      try (Scope s = Conversation.begin("ticket-4711").makeCurrent()) {   // where a task enters
        publisher.publish("plan", payload);
      }
      publisher.publish(OutboundMessage.of("plan", payload).withConversation("side-quest-9"));
      // docs example: end
      // spotless:on
      Await.until("both messages are handled", () -> conversations.size() == 2);
      assertThat(conversations).containsExactlyInAnyOrder("ticket-4711", "side-quest-9");
      bus.close();
    }
  }

  /** docs/conversations.md, budgets and loops. */
  @Test
  void conversationBudgetsAndLoops() throws Exception {
    try (Connection connection = Nats.connect(NATS.url())) {
      // spotless:off
      // docs example: start
      Baton baton = Baton.builder(otel).setConversations(ConversationMode.MINT)
          .addBudget("code.>", ConversationBudget.builder().setMaxHops(12).build())  // the tighter wins, and travels on
          .build();
      Transport bus = NatsBaton.create(baton, connection);
      bus.subscriber().subscribe("plan", "planners",
          msg -> plan(msg, Conversation.current().tokensLeft()));        // also costLeft, hopsLeft, timeLeft
      try (Scope s = Conversation.begin("ticket-4711",
              ConversationBudget.builder().setMaxTokens(50_000).setMaxCost(2.00).setMaxHops(40)
                  .setMaxDuration(Duration.ofMinutes(10)).build()).makeCurrent()) {
        bus.publisher().publish("plan", payload);
      }
      // docs example: end
      // docs example: start
      Baton.builder(otel).setConversations(ConversationMode.MINT).addLoopBreak("agents.>");
      // docs example: end
      // spotless:on
      Await.until("the planner handles the message", () -> tokensLeft.size() == 1);
      assertThat(tokensLeft.peek()).isEqualTo(50_000L);
      bus.close();
    }
  }

  /** docs/health.md: the checks, the server, heartbeats, then the agent graph. */
  @Test
  void health() throws Exception {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    Map<String, Object> kafkaConfig = Map.of("bootstrap.servers", KAFKA.bootstrapServers());
    tasksTopic();
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry();
    metrics.bindTo(registry);
    String healthToken = UUID.randomUUID().toString();
    Baton baton = Baton.builder(openTelemetry).setAgentName("writer").addListener(metrics).build();
    try (Connection connection = Nats.connect(NATS.url());
        Transport bus = NatsBaton.create(baton, connection)) {
      // spotless:off
      // docs example: start
      HealthManager health = HealthManager.builder()
          .addCheck(NatsHealthCheck.builder(connection).setJetStream(true).build()) // critical
          .addCheck(KafkaHealthCheck.builder(kafkaConfig).addRequiredTopics(List.of("tasks")).build())
          .addCheck(JdbcHealthCheck.builder(dataSource).setName("postgres").build())
          .addCheck(BackplaneChecks.backlog(metrics, BacklogLimits.defaults()), NON_CRITICAL) // DEGRADED at most
          .setTimeout(Duration.ofSeconds(5)).setInterval(Duration.ofSeconds(10)).setCacheFor(Duration.ofSeconds(1))
          .build();
      HeartbeatMonitor monitor = Heartbeats.monitor(bus);
      HealthServer server = HealthServer.builder(health)
          .setAddress(new InetSocketAddress("0.0.0.0", 0))          // default 127.0.0.1:8081; 0 = any free port
          .setShowDetails(ShowDetails.whenAuthorized(healthToken))  // default: the status alone
          .setHeartbeats(monitor)                                    // /health/agent/{id}
          .setPendingTasks(metrics::totalLag).setQueueDepth(metrics::totalQueueDepth)
          .addContext("/metrics", PrometheusScrape.handler(registry)) // one port for probes and scrapes
          .start();
      HeartbeatPublisher heartbeat = Heartbeats.publish(bus, Duration.ofSeconds(5)); // in each agent: its Baton's name and id
      health.markStarted();                                          // once the agents have subscribed
      // docs example: end
      // spotless:on
      try (server;
          monitor;
          heartbeat;
          health) {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/health");
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + healthToken)
                    .header("Accept", "application/json")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body())
            .contains("\"nats\"")
            .contains("\"kafka\"")
            .contains("\"postgres\"")
            .contains("\"backlog\"");
        Await.until("the monitor hears the agent's heartbeat", () -> monitor.agents().size() == 1);
      }
    }
  }

  /** docs/health.md: the agent graph. */
  @Test
  void agentGraph() throws Exception {
    try (Connection connection = Nats.connect(NATS.url());
        HealthManager health = HealthManager.builder().build();
        Transport monitorBus =
            NatsBaton.create(Baton.builder(openTelemetry).setAgentName("ops").build(), connection);
        HeartbeatMonitor monitor = Heartbeats.monitor(monitorBus)) {
      // spotless:off
      // docs example: start
      AgentGraph graph = AgentGraph.create();
      Baton baton = Baton.builder(openTelemetry).setAgentName("planner").addListener(graph).build();
      HealthServer server = HealthServer.builder(health).setHeartbeats(monitor).setGraph(graph).start();
      System.out.print(graph.snapshot(monitor).text());          // the demo's summary prints this
      // docs example: end
      // spotless:on
      try (server;
          Transport bus = NatsBaton.create(baton, connection)) {
        bus.subscriber().subscribe("docs.graph", "planners", m -> {});
        bus.publisher().publish("docs.graph", payload);
        Await.until(
            "the graph draws the planner's hand-off",
            () -> graph.snapshot(monitor).text().contains("planner"));
        HttpResponse<String> page =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/graph.json"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as("the default shows no details").isEqualTo(403);
      }
    }
  }

  /** docs/metrics.md: the registry and the listener, then the span export watch. */
  @Test
  void metrics() throws Exception {
    // spotless:off
    // docs example: start
    PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry(); // buckets carry trace ids
    BackplaneMetrics metrics = BackplaneMetrics.builder()
        .addDestinationPattern("agents.tasks.*")   // label value for agents.tasks.4711: "agents.tasks.*"
        .setMaxTagValues(100)                      // per label; later values become "other"
        .setStallAfter(Duration.ofSeconds(60))
        .build();
    metrics.bindTo(registry);
    Baton baton = Baton.builder(openTelemetry).setAgentName("planner").addListener(metrics).build();
    PrometheusScrape scrape = PrometheusScrape.start(registry, new InetSocketAddress("127.0.0.1", 0)); // GET /metrics; 0 = any free port
    // docs example: end
    // docs example: start
    SpanExportWatch exports = SpanExportWatch.create();        // DEGRADED for 1 min after a lost span
    SdkTracerProvider tracing = SdkTracerProvider.builder()
        .addSpanProcessor(exports.batchProcessor(OtlpHttpSpanExporter.builder().build()))
        .build();
    exports.bindTo(registry);                                  // the four meters below
    HealthManager health = HealthManager.builder()
        .addCheck(exports.healthCheck(), NON_CRITICAL)         // "trace-export"
        .build();
    // docs example: end
    // spotless:on
    try (scrape;
        health;
        Connection connection = Nats.connect(NATS.url());
        Transport bus = NatsBaton.create(baton, connection)) {
      Queue<String> seen = new ConcurrentLinkedQueue<>();
      bus.subscriber().subscribe("agents.tasks.*", "workers", m -> seen.add(m.destination()));
      bus.publisher().publish("agents.tasks.4711", payload);
      Await.until("the task is handled", () -> seen.size() == 1);
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(scrape.uri()).build(), HttpResponse.BodyHandlers.ofString());
      Await.until(
          "the scrape carries the pattern as the destination label",
          () -> scrape(scrape.uri()).contains("messaging_destination_name=\"agents.tasks.*\""));
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(health.report().checks()).containsKey("trace-export");
    } finally {
      tracing.close();
    }
  }

  /** docs/transport-nats.md */
  @Test
  void transportNats() throws Exception {
    try (Connection connection = Nats.connect(NATS.url())) {
      Baton baton = Baton.builder(openTelemetry).setAgentName("writer").build();
      // spotless:off
      // docs example: start
      NatsBaton nats = NatsBaton.builder(baton, connection)
          .setDrainTimeout(Duration.ofSeconds(10))     // close() drains each subscription this long
          .setBacklogInterval(Duration.ofSeconds(10))  // backlog probe; Duration.ZERO turns it off
          .setPendingLimits(10_000, 64 << 20)          // per subscription; past it the client drops (slow consumer)
          .setStallTimeout(Duration.ofSeconds(1))      // default; a stalled connection is reconnected (below)
          .setMaxDeliveries(5)                         // default; JetStream gives up on a message after 5 deliveries
          .setAckWait(Duration.ofSeconds(30))          // JetStream redelivers an unacknowledged message after this
          .build();
      nats.publisher();                 // core NATS publish and request/reply
      nats.subscriber();                // core subscriptions; group = queue group; respond(...) answers requests
      nats.durablePublisher();          // JetStream: publish completes on the PubAck; Nats-Msg-Id deduplicates retries
      nats.durableSubscriber();         // JetStream, on the stream that stores the subject; durable consumer per group;
                                        // return = ack, throw = nak (redelivery)
      nats.jetStreamSubscriber("TASKS");// the same on a stream you name (when a wildcard spans streams)
      // docs example: end
      // spotless:on
      try (nats) {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        nats.subscriber().subscribe("tasks.nats", "writers", m -> seen.add(m.payloadAsString()));
        nats.publisher().publish("tasks.nats", payload);
        Await.until("the task is handled", () -> seen.size() == 1);
        assertThat(seen).containsExactly("draft");
      }
    }
  }

  /** docs/transport-kafka.md */
  @Test
  void transportKafka() throws Exception {
    String servers = KAFKA.bootstrapServers();
    tasksTopic();
    Baton baton = Baton.builder(openTelemetry).setAgentName("writer").build();
    KafkaTelemetry kafkaTelemetry = KafkaTelemetry.create(openTelemetry);
    Producer<String, byte[]> myProducer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", servers),
            new StringSerializer(),
            new ByteArraySerializer());
    // spotless:off
    // docs example: start
    KafkaBaton kafka = KafkaBaton.builder(baton, Map.of("bootstrap.servers", servers /* + your TLS/SASL settings */))
        .setFailurePolicy(FailurePolicy.retry(3, ofMillis(100), ofSeconds(2)).thenDeadLetter("tasks.dlq"))
        .setProducer(kafkaTelemetry.wrap(myProducer)) // optional: publish through your own (instrumented) producer
        .setRecordKeys(false)                         // default: keys never reach spans
        .build();
    kafka.publisher().publish(OutboundMessage.of("tasks", "write chapter 2").withKey("book-7")); // future: the broker's ack
    kafka.subscriber().subscribe("tasks", "writers", msg -> write(msg.payloadAsString()));     // group = consumer group
    // docs example: end
    // spotless:on
    try (kafka;
        myProducer) {
      Await.until("the writer reads the task", () -> written.contains("write chapter 2"));
    }
  }

  private static synchronized void tasksTopic() throws Exception {
    if (!tasksTopic) {
      KAFKA.createTopic("tasks", 1);
      tasksTopic = true;
    }
  }

  private static boolean tasksTopic;

  private String scrape(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private final Queue<String> conversations = new ConcurrentLinkedQueue<>();
  private final Queue<Long> tokensLeft = new ConcurrentLinkedQueue<>();

  private void handle(Message message, String conversation) {
    conversations.add(conversation);
  }

  private void plan(Message message, long tokens) {
    tokensLeft.add(tokens);
  }

  private final Queue<String> written = new ConcurrentLinkedQueue<>();

  private void write(String chapter) {
    written.add(chapter);
  }

  /**
   * docs/security.md: compiled, not run (it names hosts that exist only in the example);
   * NatsSecureTest and KafkaSecureTest run the same settings against locked-down brokers.
   */
  @SuppressWarnings("unused")
  private static void security(
      SSLContext sslContext, String password, String jaas, String truststore, String storePassword)
      throws Exception {
    // spotless:off
    // docs example: start
    Connection nats = Nats.connect(Options.builder().server("tls://nats.internal:4222")
        .sslContext(sslContext).userInfo("agent", password)        // or .token(...), .authHandler(Nats.credentials(...))
        .errorListener(NatsErrorListener.create())                  // attributes each refused subject exactly
        .build());
    Map<String, Object> kafka = Map.of("bootstrap.servers", "kafka.internal:9093",
        "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
        "sasl.jaas.config", jaas, "ssl.truststore.location", truststore, "ssl.truststore.password", storePassword);
    // docs example: end
    // spotless:on
  }
}
