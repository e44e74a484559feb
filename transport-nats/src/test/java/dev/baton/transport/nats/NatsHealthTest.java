/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.health.AgentState;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.health.HeartbeatMonitor;
import dev.baton.health.HeartbeatPublisher;
import dev.baton.health.Heartbeats;
import dev.baton.health.ShowDetails;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Health over a real nats-server: the NATS check, the endpoints, heartbeats, no secrets. */
class NatsHealthTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<String> responses = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private HttpResponse<String> get(HealthServer server, String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    responses.add(response.body());
    return response;
  }

  private HealthServer serve(HealthManager manager, HeartbeatMonitor monitor) throws Exception {
    HealthServer.Builder builder =
        HealthServer.builder(manager)
            .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .setShowDetails(ShowDetails.always());
    if (monitor != null) {
      builder.setHeartbeats(monitor);
    }
    return closing(builder.start());
  }

  @Test
  void killingTheServerTurnsHealth503WithinOneIntervalAndRestartingItBringsBack200()
      throws Exception {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
    try {
      String url = NATS.url().replace("nats://", "nats://agent-user:very-secret-pw@");
      Connection connection =
          closing(
              Nats.connect(
                  Options.builder()
                      .server(url)
                      .reconnectWait(Duration.ofMillis(50))
                      .reconnectJitter(Duration.ofMillis(1))
                      .maxReconnects(-1)
                      .build()));
      Duration interval = Duration.ofMillis(500);
      HealthManager manager =
          closing(
              HealthManager.builder()
                  .addCheck(NatsHealthCheck.builder(connection).setJetStream(true).build())
                  .setInterval(interval)
                  .setCacheFor(Duration.ofMillis(200))
                  .setTimeout(Duration.ofSeconds(1))
                  .build());
      HealthServer server = serve(manager, null);

      HttpResponse<String> healthy = get(server, "/health");
      assertThat(healthy.statusCode()).isEqualTo(200);
      JsonNode nats = JSON.readTree(healthy.body()).path("checks").path("nats");
      assertThat(nats.path("status").asText()).isEqualTo("HEALTHY");
      assertThat(nats.path("details").path("rtt_ms").isNumber()).isTrue();
      assertThat(nats.path("details").path("jetstream").asText()).isEqualTo("reachable");

      NATS.kill();
      long killed = System.nanoTime();
      Await.until(
          "/health turns 503",
          Duration.ofSeconds(10),
          () -> {
            try {
              assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
              return get(server, "/health").statusCode() == 503;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      long tookMillis = (System.nanoTime() - killed) / 1_000_000;
      JsonNode down = JSON.readTree(get(server, "/health").body());
      assertThat(down.path("checks").path("nats").path("status").asText()).isEqualTo("UNHEALTHY");
      assertThat(tookMillis)
          .as("within one check interval, plus the cache period and a margin")
          .isLessThan(interval.toMillis() + 200 + 1000);

      NATS.restart();
      Await.until(
          "/health is 200 again",
          Duration.ofSeconds(20),
          () -> {
            try {
              assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
              return get(server, "/health").statusCode() == 200;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
    } finally {
      System.setErr(originalErr);
    }
    String everything = String.join("\n", responses) + logs.toString(StandardCharsets.UTF_8);
    assertThat(everything).doesNotContain("very-secret-pw").doesNotContain("agent-user");
  }

  @Test
  void anAgentThatStopsItsHeartbeatsTurnsUnhealthyAfterThreeIntervals() throws Exception {
    Connection connection = closing(Nats.connect(NATS.url()));
    NatsBaton monitorBus =
        closing(
            NatsBaton.create(
                Baton.builder(OTEL.getOpenTelemetry()).setAgentName("ops").build(), connection));
    NatsBaton agentBus =
        closing(
            NatsBaton.create(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName("writer")
                    .setAgentId("writer-1")
                    .build(),
                connection));
    HeartbeatMonitor monitor = closing(Heartbeats.monitor(monitorBus));
    connection.flush(Duration.ofSeconds(5));
    HealthManager manager = closing(HealthManager.builder().setInterval(Duration.ZERO).build());
    HealthServer server = serve(manager, monitor);
    Duration interval = Duration.ofMillis(200);
    HeartbeatPublisher heartbeat = Heartbeats.publish(agentBus, interval);
    heartbeat.setState(AgentState.PROCESSING, "chapter 2");

    Await.until(
        "the agent is known, processing chapter 2",
        () -> {
          try {
            HttpResponse<String> response = get(server, "/health/agent/writer-1");
            JsonNode shown = JSON.readTree(response.body());
            return response.statusCode() == 200
                && shown.path("state").asText().equals("processing")
                && shown.path("current_task").asText().equals("chapter 2");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    JsonNode agent = JSON.readTree(get(server, "/health/agent/writer-1").body());
    assertThat(agent.path("agent_id").asText()).isEqualTo("writer-1");
    assertThat(agent.path("status").asText()).isEqualTo("HEALTHY");
    assertThat(agent.path("current_task").asText()).isEqualTo("chapter 2");
    assertThat(agent.path("last_heartbeat").asText()).isNotEmpty();
    assertThat(agent.path("resources").path("memory_usage_mb").asDouble()).isPositive();
    assertThat(agent.has("uptime_seconds")).isTrue();
    assertThat(
            JSON.readTree(get(server, "/health").body())
                .path("metrics")
                .path("active_agents")
                .asInt())
        .isEqualTo(1);
    assertThat(get(server, "/health/agent/nobody").statusCode()).isEqualTo(404);
    // The library's default: the agent's status, nothing about what it does.
    HealthServer quiet =
        closing(
            HealthServer.builder(manager)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setHeartbeats(monitor)
                .start());
    HttpResponse<String> bare = get(quiet, "/health/agent/writer-1");
    assertThat(bare.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(bare.body()).path("status").asText()).isEqualTo("HEALTHY");
    assertThat(bare.body()).doesNotContain("chapter 2", "processing", "resources", "writer\"");

    heartbeat.close();
    long stopped = System.nanoTime();
    Await.until(
        "the agent turns UNHEALTHY",
        () -> {
          try {
            return get(server, "/health/agent/writer-1").statusCode() == 503;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    long silentMillis = (System.nanoTime() - stopped) / 1_000_000;

    assertThat(silentMillis)
        .as("not before three missed intervals")
        .isGreaterThanOrEqualTo(2 * interval.toMillis());
    assertThat(JSON.readTree(get(server, "/health/agent/writer-1").body()).path("status").asText())
        .isEqualTo("UNHEALTHY");
    assertThat(
            JSON.readTree(get(server, "/health").body())
                .path("metrics")
                .path("active_agents")
                .asInt())
        .isZero();
  }
}
