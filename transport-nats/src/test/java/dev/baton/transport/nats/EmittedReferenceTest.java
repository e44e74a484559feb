/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.HeartbeatMonitor;
import dev.baton.health.Heartbeats;
import dev.baton.metrics.AgentMetrics;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.SpanExportWatch;
import dev.baton.metrics.TraceExemplars;
import dev.baton.propagation.Baton;
import dev.baton.propagation.ConversationMode;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.ReferencePage;
import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference of what Baton emits (docs/reference/) cannot drift: every metric its meter binders
 * register, every span attribute its main code declares and every listener event are generated here
 * from the code and compared with the pages. A test fails when the code emits something a page
 * lacks or a page lists something the code no longer emits; {@code -Dbaton.reference.update=true}
 * rewrites the pages for a meant change.
 */
class EmittedReferenceTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final Path REFERENCE = Path.of("../docs/reference");

  @Test
  void everyMetricIsInTheReference() throws Exception {
    PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry();
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    SpanExportWatch.create().bindTo(registry);
    feedEveryEvent(metrics);
    Map<String, String> rows = new TreeMap<>();
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton bus =
            NatsBaton.create(
                Baton.builder(OTEL.getOpenTelemetry()).setAgentName("reference").build(),
                connection);
        HeartbeatMonitor monitor = Heartbeats.monitor(bus);
        AgentMetrics agents = AgentMetrics.create(monitor);
        var beats = Heartbeats.publish(bus, Duration.ofMillis(50))) {
      agents.bindTo(registry);
      Await.until(
          "the agent's heartbeat in the agent metrics",
          () -> registry.find("baton.agent.starts").gauge() != null);
      // Read while the agent metrics are bound: closing them removes their gauges.
      NamingConvention names = registry.config().namingConvention();
      String scrape = registry.scrape();
      for (Meter meter : registry.getMeters()) {
        Meter.Id id = meter.getId();
        String prometheus = names.name(id.getName(), id.getType(), id.getBaseUnit());
        if (id.getType() == Meter.Type.COUNTER) {
          prometheus += "_total";
        }
        assertThat(scrape).as("the scrape shows %s", prometheus).contains(prometheus);
        Set<String> labels = new TreeSet<>();
        id.getTags().forEach(t -> labels.add("`" + names.tagKey(t.getKey()) + "`"));
        rows.merge(
            prometheus,
            "| `"
                + prometheus
                + "` | "
                + id.getType().name().toLowerCase(Locale.ROOT)
                + " | "
                + (id.getBaseUnit() == null ? "" : id.getBaseUnit())
                + " | "
                + String.join(", ", labels)
                + " | "
                + (id.getDescription() == null ? "" : id.getDescription().replace("|", "\\|"))
                + " |",
            (a, b) -> a); // one row per name, whatever the tags' values
      }
    }
    StringBuilder page = new StringBuilder();
    page.append("# Reference: metrics\n\n")
        .append("After reading this page you know every metric Baton registers: its Prometheus")
        .append(" name, type, base unit, labels and meaning.\n\n")
        .append("Generated from the meter binders by `EmittedReferenceTest` (transport-nats),")
        .append(" which fails when the code and this page differ. `BackplaneMetrics`,")
        .append(" `AgentMetrics` and `SpanExportWatch` register them; label values are bounded")
        .append(" as [Backplane metrics](../metrics.md) says.\n\n")
        .append("| Prometheus name | type | unit | labels | meaning |\n")
        .append("|---|---|---|---|---|\n");
    rows.values().forEach(r -> page.append(r).append('\n'));
    check("metrics.md", page.toString());
  }

  @Test
  void everySpanAttributeIsInTheReference() throws Exception {
    Pattern key =
        Pattern.compile("AttributeKey\\.(string|long|boolean|double)Key\\(\\s*\"([^\"]+)\"");
    Map<String, Set<String>> attributes = new TreeMap<>();
    for (String module :
        List.of("propagation", "transport-nats", "transport-kafka", "transport-api")) {
      try (Stream<Path> files = Files.walk(Path.of("..", module, "src/main/java"))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          Matcher m = key.matcher(Files.readString(file));
          while (m.find()) {
            attributes
                .computeIfAbsent(m.group(2), k -> new TreeSet<>())
                .add(m.group(1) + " (" + module + ")");
          }
        }
      }
    }
    StringBuilder page = new StringBuilder();
    page.append("# Reference: span attributes\n\n")
        .append("After reading this page you know every span attribute Baton can set, its type")
        .append(" and the module that sets it.\n\n")
        .append("Generated from the attribute keys in the main code by `EmittedReferenceTest`")
        .append(" (transport-nats), which fails when the code and this page differ. When each is")
        .append(" set: [Spans and headers](../spans-and-headers.md).\n\n")
        .append("| attribute | type (module) |\n|---|---|\n");
    attributes.forEach(
        (name, where) ->
            page.append("| `")
                .append(name)
                .append("` | ")
                .append(String.join(", ", where))
                .append(" |\n"));
    assertThat(attributes).containsKeys("messaging.destination.name", "gen_ai.agent.name");
    check("span-attributes.md", page.toString());
  }

  @Test
  void everyListenerEventIsInTheReference() throws Exception {
    Map<String, String> events = new TreeMap<>();
    for (Class<?> type : TransportListener.class.getDeclaredClasses()) {
      if (type.isRecord()) {
        List<String> components = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
          components.add(c.getType().getSimpleName() + " " + c.getName());
        }
        events.put(type.getSimpleName(), String.join(", ", components));
      }
    }
    StringBuilder page = new StringBuilder();
    page.append("# Reference: listener events\n\n")
        .append("After reading this page you know every event a `TransportListener` hears and")
        .append(" what it carries.\n\n")
        .append("Generated from `TransportListener` by `EmittedReferenceTest` (transport-nats),")
        .append(" which fails when the code and this page differ. What each field means: the")
        .append(" javadoc of `dev.baton.transport.TransportListener`.\n\n")
        .append("| event | fields |\n|---|---|\n");
    events.forEach(
        (name, fields) ->
            page.append("| `").append(name).append("` | ").append(fields).append(" |\n"));
    check("events.md", page.toString());
  }

  /**
   * Every header Baton writes or reads: the constants of {@code BatonHeaders} and of each
   * transport's wire (read from their sources, with the first sentence of each one's javadoc), and
   * every header a real send with baggage and a conversation puts on the wire is among them.
   */
  @Test
  void everyHeaderIsInTheReference() throws Exception {
    Map<String, String> headers = new TreeMap<>();
    Map<String, String> where = new TreeMap<>();
    for (String[] source :
        new String[][] {
          {"propagation/src/main/java/dev/baton/propagation/BatonHeaders.java", "both transports"},
          {"transport-nats/src/main/java/dev/baton/transport/nats/NatsWire.java", "NATS"},
          {"transport-kafka/src/main/java/dev/baton/transport/kafka/KafkaWire.java", "Kafka"}
        }) {
      Matcher constant =
          Pattern.compile(
                  "/\\*\\*\\s*((?:[^*]|\\*(?!/))*)\\*/\\s*(?:public )?static final String \\w+ ="
                      + " \"([A-Za-z-]+)\";")
              .matcher(Files.readString(Path.of("..", source[0])));
      while (constant.find()) {
        String doc =
            constant
                .group(1)
                .replaceAll("\\s*\\n\\s*\\*\\s*", " ")
                .replaceFirst("^\\*\\s*", "")
                .replaceAll("\\{@link (?:[\\w.]+\\.)?(\\w+)\\}", "`$1`")
                .replaceAll("\\{@code ([^}]*)\\}", "`$1`")
                .strip();
        int end = doc.indexOf(". ");
        headers.put(
            constant.group(2), end < 0 ? doc.replaceAll("\\.$", "") : doc.substring(0, end));
        where.put(constant.group(2), source[1]);
      }
    }
    Matcher dlq =
        Pattern.compile("DLQ_PREFIX \\+ \"(\\w+)\"")
            .matcher(
                Files.readString(
                    Path.of(
                        "../transport-kafka/src/main/java/dev/baton/transport/kafka/PolicyRunner.java")));
    while (dlq.find()) {
      headers.put(
          "baton-dlq-" + dlq.group(1),
          "On a dead-letter copy: the original record's " + dlq.group(1));
      where.put("baton-dlq-" + dlq.group(1), "Kafka");
    }
    assertThat(headers).containsKeys("traceparent", "baggage", "baton", "Nats-Msg-Id");

    // What a real send writes.
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton bus =
            NatsBaton.create(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName("reference")
                    .setConversations(ConversationMode.MINT)
                    .build(),
                connection)) {
      io.nats.client.Subscription raw = connection.subscribe("reference.headers");
      connection.flush(Duration.ofSeconds(5));
      try (Scope s = Baggage.current().toBuilder().put("task", "t1").build().makeCurrent()) {
        bus.publisher().publish("reference.headers", new byte[1]);
      }
      io.nats.client.Message message = raw.nextMessage(Duration.ofSeconds(10));
      assertThat(message).isNotNull();
      assertThat(headers).containsKeys(message.getHeaders().keySet().toArray(String[]::new));
      assertThat(message.getHeaders().keySet()).contains("traceparent", "baggage", "baton");
    }

    StringBuilder page = new StringBuilder();
    page.append("# Reference: headers\n\n")
        .append("After reading this page you know every message header Baton writes or reads.\n\n")
        .append("Generated by `EmittedReferenceTest` (transport-nats) from `BatonHeaders`,")
        .append(" `NatsWire`, `KafkaWire` and the dead-letter copy's headers, which fails when")
        .append(" the code and this page differ; the test also checks that every header a real")
        .append(" send puts on the wire is listed. The format of `baton`:")
        .append(" [wire-format.md](../wire-format.md).\n\n")
        .append("| header | transport | what it carries |\n|---|---|---|\n");
    headers.forEach(
        (name, doc) ->
            page.append("| `")
                .append(name)
                .append("` | ")
                .append(where.get(name))
                .append(" | ")
                .append(doc.replace("|", "\\|"))
                .append(" |\n"));
    check("headers.md", page.toString());
  }

  /** One of every listener event, so that every meter a binder makes is registered. */
  private static void feedEveryEvent(BackplaneMetrics m) {
    m.onSent(new TransportListener.Sent("nats", "a", "d", 10, 1_000_000, null));
    m.onSent(new TransportListener.Sent("nats", "a", "d", 10, 1_000_000, "java.io.IOException"));
    m.onReceived(new TransportListener.Received("nats", "b", "d", "g", "a", 10, 1_000_000, 2));
    m.onProcessed(
        new TransportListener.Processed(
            "nats", "b", "d", "g", Outcome.NAK, 1_000_000, "E", 1_000, 100, "failure"));
    m.onBacklog(new TransportListener.Backlog("kafka", "d", "g", "0", 5, Double.NaN, 2, 10));
    m.onBacklog(new TransportListener.Backlog("nats", "s", "g", "", 5, 1, 2, 10));
    m.onQueueDepth(new TransportListener.QueueDepth("nats", "d", "g", 3, 300));
    m.onConnection(
        new TransportListener.ConnectionChange(
            "nats", TransportListener.ConnectionEvent.RECONNECTED, ""));
    m.onSubscription(
        new TransportListener.SubscriptionChange(
            "nats", "d", "g", TransportListener.SubscriptionState.STARTED));
    m.onRejectedContext(
        new TransportListener.RejectedContext(
            "nats", "d", RejectionReason.INVALID_TRACEPARENT, true));
    m.onTelemetryFailure(new TransportListener.TelemetryFailure("nats", "send", "E"));
    m.onPermission(new TransportListener.PermissionChange("nats", "backlog", "t", true, ""));
    m.onConversationDone(
        new TransportListener.ConversationDone("b", 3, 2, 100, 50, 0.01, 1_000_000, 2_000_000));
    m.onRefused(new TransportListener.Refused("nats", "b", "d", "budget_tokens", "c", "a"));
    m.onLoop(new TransportListener.Loop("nats", "b", "d", "a>b", true, "c"));
  }

  private static void check(String page, String generated) throws Exception {
    ReferencePage.check(
        REFERENCE.resolve(page),
        generated,
        "mvn -pl transport-nats test -Dtest=EmittedReferenceTest");
  }
}
