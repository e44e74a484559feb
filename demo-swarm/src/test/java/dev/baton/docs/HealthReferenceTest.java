/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.docs;

import static dev.baton.health.Criticality.NON_CRITICAL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.health.AgentState;
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
import dev.baton.metrics.SpanExportWatch;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.ReferencePage;
import dev.baton.testing.SharedKafka;
import dev.baton.transport.Transport;
import dev.baton.transport.kafka.KafkaHealthCheck;
import dev.baton.transport.nats.NatsBaton;
import dev.baton.transport.nats.NatsHealthCheck;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * docs/reference/health.md cannot drift: every field of every health endpoint's JSON, as a process
 * with every shipped check (one of them failing, so a failure's fields are there too) and an agent
 * sending heartbeats answers, generated here and compared with the page.
 */
class HealthReferenceTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyHealthFieldIsInTheReference() throws Exception {
    PGSimpleDataSource database = new PGSimpleDataSource();
    database.setUrl("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none?user=postgres&connectTimeout=1");
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    Baton baton = Baton.builder(OTEL.getOpenTelemetry()).setAgentName("writer").build();
    Map<String, String> fields = new TreeMap<>();
    try (Connection connection = Nats.connect(NATS.url());
        Transport bus = NatsBaton.create(baton, connection);
        HeartbeatMonitor monitor = Heartbeats.monitor(bus);
        HeartbeatPublisher heartbeat = Heartbeats.publish(bus, Duration.ofMillis(200));
        HealthManager health =
            HealthManager.builder()
                .addCheck(NatsHealthCheck.builder(connection).setJetStream(true).build())
                .addCheck(
                    KafkaHealthCheck.builder(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
                        .build())
                .addCheck(JdbcHealthCheck.builder(database).setName("postgres").build())
                .addCheck(JdbcHealthCheck.builder(nowhere).setName("failing").build(), NON_CRITICAL)
                .addCheck(BackplaneChecks.backlog(metrics, BacklogLimits.defaults()), NON_CRITICAL)
                .addCheck(BackplaneChecks.stopped(metrics), NON_CRITICAL)
                .addCheck(BackplaneChecks.permissions(metrics), NON_CRITICAL)
                .addCheck(SpanExportWatch.create().healthCheck(), NON_CRITICAL)
                .build();
        HealthServer server =
            HealthServer.builder(health)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setShowDetails(ShowDetails.always())
                .setHeartbeats(monitor)
                .setPendingTasks(metrics::totalLag)
                .setQueueDepth(metrics::totalQueueDepth)
                .start()) {
      heartbeat.setState(AgentState.PROCESSING, "chapter 2");
      health.markStarted();
      String agent = baton.agentId();
      Await.until(
          "the agent's heartbeat with its task",
          () -> {
            var seen = monitor.agent(agent);
            return seen != null && "chapter 2".equals(seen.currentTask());
          });
      for (String[] request :
          new String[][] {
            {"/health", "application/json"},
            {"/health", "application/health+json"},
            {"/health/ready", "application/json"},
            {"/health/live", "application/json"},
            {"/health/started", "application/json"},
            {"/health/agent/" + agent, "application/json"},
            {"/health/agent/nobody", "application/json"}
          }) {
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + request[0]))
                    .header("Accept", request[1])
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        String endpoint =
            "`GET "
                + request[0].replace(agent, "{id}")
                + "` (`"
                + request[1]
                + "`) → "
                + answer.statusCode();
        flatten(endpoint, "", new ObjectMapper().readTree(answer.body()), fields);
      }
    }
    assertThat(fields.keySet()).anyMatch(f -> f.endsWith("\tchecks.failing.reason"));
    StringBuilder page = new StringBuilder();
    page.append("# Reference: health fields\n\n")
        .append("After reading this page you know every field of every health endpoint's")
        .append(" answer.\n\n")
        .append("Generated by `HealthReferenceTest` (demo-swarm), which fails when the code and")
        .append(" this page differ: a process with every shipped check (`nats`, `kafka`,")
        .append(" `postgres`, the backplane's `backlog`, `stopped` and `permissions`,")
        .append(" `trace-export`, and a `failing` one), details shown, and an agent sending")
        .append(" heartbeats. A check's `details` are its own; `{id}` is an agent id. What the")
        .append(" endpoints are for: [health.md](../health.md).\n\n")
        .append("| endpoint | field | JSON type |\n|---|---|---|\n");
    fields.forEach(
        (key, type) -> {
          int split = key.indexOf('\t');
          page.append("| ")
              .append(key, 0, split)
              .append(" | `")
              .append(key.substring(split + 1))
              .append("` | ")
              .append(type)
              .append(" |\n");
        });
    ReferencePage.check(
        Path.of("../docs/reference/health.md"),
        page.toString(),
        "mvn -pl demo-swarm test -Dtest=HealthReferenceTest");
  }

  /** Every field path of {@code node} under {@code endpoint}, with its JSON type. */
  private static void flatten(
      String endpoint, String path, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        out.put(endpoint + "\t" + key, type(field.getValue()));
        flatten(endpoint, key, field.getValue(), out);
      }
    } else if (node.isArray() && !node.isEmpty()) {
      flatten(endpoint, path + "[]", node.get(0), out);
    }
  }

  private static String type(JsonNode node) {
    return List.of("object", "array", "string", "number", "boolean", "null").stream()
        .filter(
            t ->
                switch (t) {
                  case "object" -> node.isObject();
                  case "array" -> node.isArray();
                  case "string" -> node.isTextual();
                  case "number" -> node.isNumber();
                  case "boolean" -> node.isBoolean();
                  default -> node.isNull();
                })
        .findFirst()
        .orElse("?");
  }
}
