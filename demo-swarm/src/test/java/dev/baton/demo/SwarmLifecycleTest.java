/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.testing.Await;
import dev.baton.testing.DocBlock;
import dev.baton.testing.NatsServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo's agents as lifecycle data, on a real nats-server: with {@code --slow-agent coder} the
 * coder is seen processing for seconds on {@code /health/agent/{id}}, injected failures put agents
 * in {@code error}, the reviewer waits on its fan-in and on the summarizer's reply, and {@code
 * /metrics} counts agents per state; the summary prints the per-agent cost table.
 */
class SwarmLifecycleTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(100) // a slow coder: its LLM calls take seconds
  void slowAgentsAndFailuresShowAsStatesOnHealthAndMetrics() throws Exception {
    SwarmConfig config =
        SwarmConfig.parse(
            List.of(
                "--transport", "nats",
                "--nats-url", NATS.url(),
                "--port", "0",
                "--slow-agent", "coder",
                "--failure-rate", "0.5",
                "--instance", "readme"),
            null);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Swarm swarm =
        Swarm.start(config, null, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      Map<String, Set<String>> seen = new ConcurrentHashMap<>();
      double[] longestCoderProcessing = {0};
      boolean[] metricsSawProcessing = {false};
      String[] coderProcessing = {null, null}; // its /health/agent answer and /metrics then
      List<CompletableFuture<Coordinator.Outcome>> tasks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        tasks.add(swarm.submit("task " + i));
      }

      try {
        Await.until(
            "the coder seen processing for a second, an agent in error, the reviewer waiting",
            Duration.ofSeconds(60),
            () -> {
              for (String id : swarm.agentIds()) {
                JsonNode agent = json(get(swarm, "/health/agent/" + id).body());
                String state = agent.path("state").asText();
                Set<String> states =
                    seen.computeIfAbsent(
                        agent.path("agent_name").asText(), n -> ConcurrentHashMap.newKeySet());
                states.add(state);
                // An agent whose failed message came back at once was in error for a few
                // milliseconds, between two heartbeats: its seconds in error say so.
                if (agent.path("state_seconds").path("error").asDouble() > 0) {
                  states.add("error");
                }
                if (id.equals("coder-readme") && state.equals("processing")) {
                  coderProcessing[0] = agent.toString();
                  coderProcessing[1] = get(swarm, "/metrics").body();
                  longestCoderProcessing[0] =
                      Math.max(
                          longestCoderProcessing[0],
                          agent.path("time_in_state_seconds").asDouble());
                }
              }
              metricsSawProcessing[0] |=
                  get(swarm, "/metrics")
                      .body()
                      .lines()
                      .anyMatch(
                          l ->
                              l.startsWith("baton_agents{state=\"processing\"}")
                                  && !l.endsWith(" 0.0"));
              return longestCoderProcessing[0] >= 1.0
                  && seen.values().stream().anyMatch(s -> s.contains("error"))
                  && seen.getOrDefault("reviewer", Set.of()).contains("waiting")
                  && metricsSawProcessing[0];
            });
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + "; states seen: "
                + seen
                + ", the coder's longest processing "
                + longestCoderProcessing[0]
                + " s, processing on /metrics: "
                + metricsSawProcessing[0],
            e);
      }

      JsonNode coder = json(get(swarm, "/health/agent/coder-readme").body());
      assertThat(coder.path("start_count").asLong()).isEqualTo(1);
      assertThat(coder.path("state_seconds").path("processing").asDouble())
          .isGreaterThanOrEqualTo(1.0);
      assertThat(coder.has("state_since")).isTrue();
      String metrics = get(swarm, "/metrics").body();
      assertThat(metrics)
          .contains("baton_agent_starts{gen_ai_agent_name=\"coder\"}")
          .contains(
              "baton_agent_state_time_seconds_total{gen_ai_agent_name=\"coder\",state=\"processing\"}")
          .contains("baton_handler_cpu_time_seconds_total{")
          .contains("baton_handler_allocated_bytes_total{");

      // docs/demo.md: its poll names agents of this run in states this run saw (which agent was
      // in error when is the dice's), and its coder answer and /metrics lines have the shape of
      // this run's while the coder processed.
      Path page = Path.of("../docs/demo.md");
      Matcher pair =
          Pattern.compile("(\\w+): (\\w+)").matcher(DocBlock.of(page, "state-watch").text());
      int pairs = 0;
      while (pair.find()) {
        pairs++;
        assertThat(seen).as("the agents of the run").containsKey(pair.group(1));
        assertThat(seen.values().stream().flatMap(Set::stream))
            .as("the states the run saw")
            .contains(pair.group(2));
      }
      assertThat(pairs).isGreaterThan(5);
      DocBlock health = DocBlock.of(page, "agent-health");
      int end = health.lines().indexOf("}") + 1;
      health.part(0, end).isJsonShapedLike(coderProcessing[0]);
      health.from(end).isShapedLike(coderProcessing[1]);
    }
  }

  private HttpResponse<String> get(Swarm swarm, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + swarm.port() + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError(body, e);
    }
  }
}
