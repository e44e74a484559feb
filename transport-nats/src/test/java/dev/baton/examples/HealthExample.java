/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import dev.baton.health.AgentHealth;
import dev.baton.health.AgentState;
import dev.baton.health.Criticality;
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
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.transport.nats.NatsBaton;
import dev.baton.transport.nats.NatsHealthCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.api.OpenTelemetry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The health endpoints against real NATS ({@code NATS_URL}, default nats://127.0.0.1:4222) and
 * PostgreSQL ({@code JDBC_URL}, default the local {@code test} database): prints what each endpoint
 * answers. The README's sample responses come from this.
 */
public final class HealthExample {

  private HealthExample() {}

  public static void main(String[] args) throws Exception {
    run(
            System.getenv().getOrDefault("NATS_URL", "nats://127.0.0.1:4222"),
            System.getenv()
                .getOrDefault("JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"))
        .forEach((request, body) -> System.out.println(request + "\n" + body + "\n"));
  }

  /**
   * What each endpoint answers: the request line ({@code GET path (Accept: type) -> status}), body.
   */
  public static Map<String, String> run(String natsUrl, String jdbcUrl) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    PGSimpleDataSource database = new PGSimpleDataSource();
    database.setUrl(jdbcUrl);
    try (Connection connection = Nats.connect(natsUrl);
        NatsBaton bus =
            NatsBaton.create(
                Baton.builder(OpenTelemetry.noop())
                    .setAgentName("writer")
                    .setAgentId("writer-1")
                    .addListener(metrics)
                    .build(),
                connection);
        HeartbeatMonitor monitor = Heartbeats.monitor(bus);
        HeartbeatPublisher heartbeat = Heartbeats.publish(bus, Duration.ofMillis(500));
        HealthManager health =
            HealthManager.builder()
                .addCheck(NatsHealthCheck.builder(connection).setJetStream(true).build())
                .addCheck(JdbcHealthCheck.builder(database).setName("postgres").build())
                .addCheck(
                    BackplaneChecks.backlog(metrics, BacklogLimits.defaults()),
                    Criticality.NON_CRITICAL)
                .build();
        HealthServer server =
            HealthServer.builder(health)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setShowDetails(ShowDetails.always()) // a loopback-only port
                .setVersion("0.1.0")
                .setHeartbeats(monitor)
                .setPendingTasks(metrics::totalLag)
                .setQueueDepth(metrics::totalQueueDepth)
                .addContext("/metrics", PrometheusScrape.handler(registry))
                .start()) {
      heartbeat.setState(AgentState.PROCESSING, "chapter 2");
      bus.subscriber().subscribe("drafts.review", "reviewers", m -> {});
      connection.flush(Duration.ofSeconds(5));
      health.markStarted();
      Await.until( // a heartbeat with the state set above has arrived
          "writer-1 processing chapter 2",
          () -> {
            AgentHealth writer = monitor.agent("writer-1");
            return writer != null && "chapter 2".equals(writer.currentTask());
          });
      HttpClient http = HttpClient.newHttpClient();
      for (String[] request :
          new String[][] {
            {"/health", "application/json"},
            {"/health/ready", "application/json"},
            {"/health/live", "application/json"},
            {"/health/started", "application/json"},
            {"/health/agent/writer-1", "application/json"},
            {"/health", "application/health+json"},
            {"/health/agent/nobody", "application/json"}
          }) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + request[0]))
                    .header("Accept", request[1])
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        out.put(
            "GET " + request[0] + " (Accept: " + request[1] + ") -> " + response.statusCode(),
            response.body());
      }
    }
    return out;
  }
}
