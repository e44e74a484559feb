/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.health.AgentHealth;
import dev.baton.health.AgentState;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.health.HeartbeatMonitor;
import dev.baton.health.HeartbeatPublisher;
import dev.baton.health.Heartbeats;
import dev.baton.health.ShowDetails;
import dev.baton.metrics.AgentMetrics;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.transport.Transport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent lifecycle over a real nats-server: heartbeats carry the state, when it was entered, the
 * time spent in each state and a start count that survives the agent's restart; {@code
 * /health/agent/{id}} shows them, and {@link AgentMetrics} counts agents per state.
 */
class AgentLifecycleTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();

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

  private NatsBaton bus(Connection connection, String name) {
    return bus(connection, name, name + "-" + UUID.randomUUID());
  }

  private NatsBaton bus(Connection connection, String name, String id) {
    return closing(
        NatsBaton.create(
            Baton.builder(OTEL.getOpenTelemetry()).setAgentName(name).setAgentId(id).build(),
            connection));
  }

  private JsonNode agent(HealthServer server, String id) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/health/agent/" + id))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static double gauge(PrometheusMeterRegistry registry, String name, String state) {
    return registry.get(name).tag("state", state).gauge().value();
  }

  @Test
  void statesTheirTimesAndRestartsReachTheMonitorTheEndpointAndTheMeters() throws Exception {
    Connection connection = closing(Nats.connect(NATS.url()));
    HeartbeatMonitor monitor = closing(Heartbeats.monitor(bus(connection, "ops")));
    connection.flush(Duration.ofSeconds(5));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics metrics = closing(AgentMetrics.create(monitor));
    metrics.bindTo(registry);
    HealthManager manager = closing(HealthManager.builder().setInterval(Duration.ZERO).build());
    HealthServer server =
        closing(
            HealthServer.builder(manager)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setShowDetails(ShowDetails.always())
                .setHeartbeats(monitor)
                .start());
    NatsBaton coderBus = bus(connection, "coder", "coder-1");

    HeartbeatPublisher first = Heartbeats.publish(coderBus, INTERVAL);
    Await.until("starting", () -> state(monitor) == AgentState.STARTING);
    first.setState(AgentState.IDLE);
    Instant processingFrom = Instant.now();
    first.setState(AgentState.PROCESSING);
    Await.until(
        "processing for 300 ms",
        () ->
            state(monitor) == AgentState.PROCESSING
                && agent(server, "coder-1").path("time_in_state_seconds").asDouble() >= 0.3);

    JsonNode shown = agent(server, "coder-1");
    assertThat(shown.path("state").asText()).isEqualTo("processing");
    assertThat(Instant.parse(shown.path("state_since").asText()))
        .isBetween(processingFrom.minusMillis(5), Instant.now());
    assertThat(shown.path("start_count").asLong()).isEqualTo(1);
    assertThat(gauge(registry, "baton.agents", "processing")).isEqualTo(1);
    assertThat(gauge(registry, "baton.agents", "idle")).isZero();
    Await.until(
        "the state's age on the meter",
        () -> gauge(registry, "baton.agent.state.age", "processing") >= 0.3);
    assertThat(gauge(registry, "baton.agent.state.age", "idle")).isNaN();

    first.setState(AgentState.ERROR);
    Await.until("error", () -> state(monitor) == AgentState.ERROR);
    first.close();
    Await.until("stopping said", () -> state(monitor) == AgentState.STOPPING);
    AgentHealth stopped = monitor.agent("coder-1");
    assertThat(stopped.stateSeconds().get("processing")).isGreaterThanOrEqualTo(0.3);
    double processingSeconds = stopped.stateSeconds().get("processing");

    // The same agent id starts again: the start count survives, the times start over.
    HeartbeatPublisher second = closing(Heartbeats.publish(coderBus, INTERVAL));
    Await.until("started again", () -> monitor.agent("coder-1").startCount() == 2);
    assertThat(agent(server, "coder-1").path("start_count").asLong()).isEqualTo(2);
    assertThat(registry.get("baton.agent.starts").tag("gen_ai.agent.name", "coder").gauge().value())
        .isEqualTo(2);
    second.setState(AgentState.WAITING);
    Await.until("waiting", () -> state(monitor) == AgentState.WAITING);
    assertThat(
            registry
                .get("baton.agent.state.time")
                .tag("gen_ai.agent.name", "coder")
                .tag("state", "processing")
                .functionCounter()
                .count())
        .as("the time in processing is kept across the restart")
        .isGreaterThanOrEqualTo(processingSeconds);
    assertThat(gauge(registry, "baton.agents", "waiting")).isEqualTo(1);

    // A failure whose message comes back at once: in error for far less than a millisecond, and
    // still counted (state times are summed in nanoseconds and shown rounded up to the ms).
    second.setState(AgentState.ERROR);
    second.setState(AgentState.PROCESSING);
    Await.until(
        "a moment in error counted",
        () ->
            state(monitor) == AgentState.PROCESSING
                && monitor.agent("coder-1").stateSeconds().get("error") > 0);

    // An agent that reports its own start count (kept in a database, say): the larger one wins.
    closing(Heartbeats.publish(bus(connection, "coder", "coder-2"), INTERVAL, 7));
    Await.until("coder-2 known", () -> monitor.agent("coder-2") != null);
    assertThat(monitor.agent("coder-2").startCount()).isEqualTo(7);
    Await.until(
        "the highest start count of the name",
        () ->
            registry.get("baton.agent.starts").tag("gen_ai.agent.name", "coder").gauge().value()
                == 7);
    assertThat(registry.scrape())
        .contains("baton_agents{state=\"waiting\"}")
        .contains("baton_agent_starts{gen_ai_agent_name=\"coder\"}")
        .contains(
            "baton_agent_state_time_seconds_total{gen_ai_agent_name=\"coder\",state=\"processing\"}");
  }

  @Test
  void aStateAndItsTaskTravelTogetherInEveryHeartbeat() throws Exception {
    Connection connection = closing(Nats.connect(NATS.url()));
    List<JsonNode> beats = new CopyOnWriteArrayList<>();
    closing(
        bus(connection, "ops")
            .subscriber()
            .subscribe(Transport.HEARTBEATS, m -> beats.add(JSON.readTree(m.payload()))));
    connection.flush(Duration.ofSeconds(5));
    HeartbeatPublisher heartbeat =
        closing(Heartbeats.publish(bus(connection, "writer", "writer-9"), Duration.ofMillis(1)));

    // At least one beat while processing, whatever the scheduling: the flips below are so quick
    // that a run of beats may see only idle.
    heartbeat.setState(AgentState.PROCESSING, "task first");
    Await.until(
        "a processing beat", () -> beats.stream().anyMatch(b -> isProcessing(b, "task first")));
    // The beats go out every millisecond on the publisher's thread while this one flips both.
    int before = beats.size();
    for (int i = 0; beats.size() < before + 300 && i < 1_000_000; i++) {
      heartbeat.setState(AgentState.PROCESSING, "task " + i);
      heartbeat.setState(AgentState.IDLE, null);
    }
    Await.until("300 heartbeats while flipping", () -> beats.size() >= before + 300);

    long processing = 0;
    for (JsonNode beat : beats) {
      String state = beat.path("state").asText();
      JsonNode task = beat.path("current_task");
      if (state.equals("processing")) {
        processing++;
        assertThat(task.asText()).as("a processing beat names its task").startsWith("task ");
      } else if (state.equals("idle")) {
        assertThat(task.isNull()).as("an idle beat names no task: " + beat).isTrue();
      }
    }
    assertThat(processing).as("beats caught the agent processing").isPositive();
  }

  private static boolean isProcessing(JsonNode beat, String task) {
    return beat.path("state").asText().equals("processing")
        && beat.path("current_task").asText().equals(task);
  }

  private static AgentState state(HeartbeatMonitor monitor) {
    AgentHealth agent = monitor.agent("coder-1");
    return agent == null ? null : agent.lifecycleState();
  }
}
