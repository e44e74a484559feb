/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.baton.launchers.PrometheusTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * There is no Docker engine here, so the compose stack is checked with what there is: the YAML's
 * structure, every file it mounts, Prometheus' config and every dashboard query through promtool,
 * and the dashboard JSON.
 */
class ComposeStackTest {

  static final Path ROOT = Path.of("..");
  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theComposeFileHasTheWholeStackAndEveryMountedFileExists() throws Exception {
    JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
    JsonNode services = compose.path("services");

    Set<String> names = new HashSet<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactlyInAnyOrder(
            "nats",
            "kafka",
            "jaeger",
            "prometheus",
            "grafana",
            "postgres",
            "coordinator",
            "researcher",
            "coder",
            "reviewer",
            "summarizer");
    for (String name : names) {
      assertThat(services.path(name).path("image").asText()).as("%s image", name).contains(":");
    }
    assertThat(services.path("nats").path("command").toString()).contains("-js").contains("8222");
    assertThat(ports(services.path("jaeger"))).contains("4317:4317", "4318:4318", "16686:16686");
    assertThat(services.path("jaeger").path("image").asText())
        .as("Jaeger v2, not v1's end-of-life all-in-one")
        .startsWith("jaegertracing/jaeger:2.");
    assertThat(services.path("jaeger").path("command").toString())
        .contains("receivers.otlp.protocols.grpc.endpoint=0.0.0.0:4317")
        .contains("receivers.otlp.protocols.http.endpoint=0.0.0.0:4318");
    assertThat(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
        .isEqualTo("broker,controller");
    for (JsonNode service : services) {
      for (JsonNode volume : service.path("volumes")) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith("./")) {
          assertThat(ROOT.resolve(source)).as("mounted %s", source).exists();
        }
      }
    }
    // The role services: each runs one role with options the demo accepts, on the stack's own
    // broker, store and trace backend.
    for (String role : Roles.ALL) {
      JsonNode service = services.path(role);
      assertThat(service.path("profiles").toString()).as(role).contains("swarm");
      List<String> command = new ArrayList<>();
      service.path("command").forEach(c -> command.add(c.asText()));
      int main = command.indexOf(SwarmMain.class.getName());
      assertThat(main).as("%s runs the demo: %s", role, command).isPositive();
      SwarmConfig config = SwarmConfig.parse(command.subList(main + 1, command.size()), null);
      assertThat(config.role()).isEqualTo(role);
      assertThat(config.natsUrl()).isEqualTo("nats://nats:4222");
      assertThat(config.otlpEndpoint()).isEqualTo("http://jaeger:4318");
      if (SwarmConfig.sharesStore(role)) {
        assertThat(config.jdbcUrl()).startsWith("jdbc:postgresql://postgres:5432/baton");
      }
    }
    assertThat(services.path("prometheus").path("volumes").toString())
        .contains("./backplane-metrics/prometheus/alerts.yml:/etc/prometheus/alerts.yml");
    assertThat(services.path("prometheus").path("command").toString())
        .as("Prometheus keeps exemplars")
        .contains("--enable-feature=exemplar-storage");
  }

  @Test
  void prometheusConfigIsValidAndLoadsTheAlertRules(@TempDir Path dir) throws Exception {
    String config = Files.readString(Path.of("compose/prometheus.yml"));
    assertThat(config).contains("/etc/prometheus/alerts.yml").contains("host.docker.internal:8080");
    Path local = dir.resolve("prometheus.yml");
    Files.writeString(
        local,
        config.replace(
            "/etc/prometheus/alerts.yml",
            ROOT.resolve("backplane-metrics/prometheus/alerts.yml")
                .toAbsolutePath()
                .normalize()
                .toString()));

    String out = promtool("check", "config", local.toString());

    assertThat(out).contains("SUCCESS");
  }

  @Test
  void theDashboardIsValidJsonWithEveryPanelTheIssueAsksForAndValidQueries(@TempDir Path dir)
      throws Exception {
    JsonNode dashboard = JSON.readTree(Path.of("compose/grafana/dashboards/baton.json").toFile());
    List<String> titles = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    List<String> withExemplars = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      titles.add(panel.path("title").asText());
      for (JsonNode target : panel.path("targets")) {
        if (target.path("exemplar").asBoolean()) {
          withExemplars.add(target.path("expr").asText());
        }
      }
      assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("prometheus");
      for (JsonNode target : panel.path("targets")) {
        queries.add(target.path("expr").asText());
      }
    }
    assertThat(String.join("|", titles))
        .contains(
            "Throughput",
            "Delivery latency p50 / p95 / p99",
            "Processing duration p50 / p95 / p99",
            "Consumer lag",
            "Queue depth",
            "Error rate",
            "Agent-to-agent");
    assertThat(String.join("\n", queries))
        .contains(
            "baton_delivery_latency_seconds_bucket",
            "baton_consumer_lag_messages",
            "baton_queue_depth_messages",
            "baton_agent_messages_total",
            "baton_processed_messages_total",
            "messaging_client_sent_messages_total");
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < queries.size(); i++) {
      rules
          .append("      - record: dashboard_query_")
          .append(i)
          .append("\n        expr: ")
          .append(JSON.writeValueAsString(queries.get(i)))
          .append('\n');
    }
    Path file = dir.resolve("dashboard-queries.yml");
    Files.writeString(file, rules.toString());

    assertThat(promtool("check", "rules", file.toString()))
        .contains("SUCCESS: " + queries.size() + " rules found");
    JsonNode datasources =
        YAML.readTree(Path.of("compose/grafana/provisioning/datasources/datasources.yml").toFile());
    assertThat(datasources.path("datasources").findValuesAsText("uid"))
        .contains("prometheus", "jaeger");
    // Both latency panels show exemplars, and an exemplar's trace_id opens the trace in Jaeger.
    assertThat(withExemplars)
        .anyMatch(q -> q.contains("baton_delivery_latency_seconds_bucket"))
        .anyMatch(q -> q.contains("messaging_process_duration_seconds_bucket"));
    JsonNode prometheus = datasources.path("datasources").get(0);
    assertThat(prometheus.path("uid").asText()).isEqualTo("prometheus");
    JsonNode links = prometheus.path("jsonData").path("exemplarTraceIdDestinations");
    assertThat(links.findValuesAsText("name")).containsOnly("trace_id");
    assertThat(links.findValuesAsText("datasourceUid")).containsExactly("jaeger");
    assertThat(links.findValuesAsText("url"))
        .containsExactly("http://localhost:16686/trace/${__value.raw}");
    JsonNode providers =
        YAML.readTree(Path.of("compose/grafana/provisioning/dashboards/dashboards.yml").toFile());
    assertThat(providers.path("providers").get(0).path("options").path("path").asText())
        .isEqualTo("/var/lib/grafana/dashboards");
  }

  /**
   * The Node Graph panel's two queries, evaluated by promtool on series shaped as Baton's: the
   * nodes frame has an {@code id} per agent (a sender that handles nothing included), the edges
   * frame {@code id}, {@code source} and {@code target} per hand-off, as Grafana's panel reads
   * them.
   */
  @Test
  void theAgentGraphPanelsQueriesGiveGrafanaItsNodesAndEdges(@TempDir Path dir) throws Exception {
    JsonNode dashboard = JSON.readTree(Path.of("compose/grafana/dashboards/baton.json").toFile());
    JsonNode panel = null;
    for (JsonNode p : dashboard.path("panels")) {
      if (p.path("type").asText().equals("nodeGraph")) {
        panel = p;
      }
    }
    assertThat(panel).as("a Node Graph panel").isNotNull();
    String nodes = panel.path("targets").get(0).path("expr").asText();
    String edges = panel.path("targets").get(1).path("expr").asText();
    assertThat(panel.path("targets").findValuesAsText("format")).containsExactly("table", "table");
    Path rules = dir.resolve("none.yml");
    Files.writeString(rules, "groups: []\n");
    Path tests = dir.resolve("graph-test.yml");
    Files.writeString(
        tests,
        """
        rule_files: [none.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'baton_agent_messages_total{from_agent="planner",to_agent="writer"}'
                values: '0+60x10'
              - series: 'baton_agent_messages_total{from_agent="writer",to_agent="reviewer"}'
                values: '0+120x10'
              - series: 'baton_processed_messages_total{gen_ai_agent_name="writer",outcome="success"}'
                values: '0+60x10'
              - series: 'baton_processed_messages_total{gen_ai_agent_name="reviewer",outcome="success"}'
                values: '0+120x10'
            promql_expr_test:
              - expr: %s
                eval_time: 10m
                exp_samples:
                  - labels: '{id="planner"}'
                    value: 0
                  - labels: '{id="reviewer"}'
                    value: 2
                  - labels: '{id="writer"}'
                    value: 1
              - expr: %s
                eval_time: 10m
                exp_samples:
                  - labels: '{from_agent="planner",to_agent="writer",id="planner->writer",source="planner",target="writer"}'
                    value: 1
                  - labels: '{from_agent="writer",to_agent="reviewer",id="writer->reviewer",source="writer",target="reviewer"}'
                    value: 2
        """
            .formatted(JSON.writeValueAsString(nodes), JSON.writeValueAsString(edges)));

    assertThat(promtool("test", "rules", tests.toString())).contains("SUCCESS");
  }

  private static List<String> ports(JsonNode service) {
    List<String> ports = new ArrayList<>();
    service.path("ports").forEach(p -> ports.add(p.asText()));
    return ports;
  }

  private static String promtool(String... args) throws IOException, InterruptedException {
    PrometheusTools.Result result = PrometheusTools.promtool(args);
    assertThat(result.ok()).as(result.output()).isTrue();
    return result.output();
  }
}
