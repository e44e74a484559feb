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
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
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
  private static final boolean UPDATE = Boolean.getBoolean("baton.reference.update");

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
    Path file = REFERENCE.resolve(page);
    if (UPDATE) {
      Files.createDirectories(REFERENCE);
      Files.writeString(file, generated);
      return;
    }
    assertThat(Files.exists(file) ? Files.readString(file) : "")
        .as(
            "docs/reference/%s against the code: if the change is meant, rewrite it (mvn -pl"
                + " transport-nats test -Dtest=EmittedReferenceTest -Dbaton.reference.update=true)"
                + " and say what changed in CHANGELOG.md",
            page)
        .isEqualTo(generated);
  }
}
