/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentGraphTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(5));
  private final AgentGraph graph =
      AgentGraph.builder().setWindow(Duration.ofSeconds(60)).setClock(now::get).build();

  private void handOff(String from, String to, long latencyMillis) {
    graph.onSent(new TransportListener.Sent("nats", from, "d", 10, 1000, null));
    graph.onReceived(
        new TransportListener.Received(
            "nats", to, "d", "", from, 10, TimeUnit.MILLISECONDS.toNanos(latencyMillis), 1));
  }

  private void handled(String agent, long millis, boolean fail) {
    graph.onProcessed(
        new TransportListener.Processed(
            "nats",
            agent,
            "d",
            "",
            fail ? Outcome.NAK : Outcome.ACK,
            TimeUnit.MILLISECONDS.toNanos(millis),
            fail ? "java.lang.IllegalStateException" : null,
            -1,
            -1,
            null));
  }

  @Test
  void ratesErrorSharesAndP95sComeFromTheWindow() {
    for (int i = 1; i <= 100; i++) {
      handOff("planner", "writer", i); // latencies 1..100 ms
      handled("writer", 10 * i, i % 10 == 0); // 10..1000 ms, one in ten fails
    }
    now.addAndGet(TimeUnit.SECONDS.toNanos(30)); // the graph is 30 s old: rates per 30 s

    AgentGraph.Snapshot snapshot = graph.snapshot();

    assertThat(snapshot.agents())
        .extracting(AgentGraph.Agent::name)
        .containsExactly("planner", "writer");
    AgentGraph.Agent writer = snapshot.agents().get(1);
    assertThat(writer.handled()).isEqualTo(100);
    assertThat(writer.failed()).isEqualTo(10);
    assertThat(writer.errorShare()).isEqualTo(0.1);
    assertThat(writer.handledPerSecond()).isCloseTo(100 / 30.0, withPercentage(0.001));
    // Four buckets per power of two: within 12.5 % of the true p95 (950 ms).
    assertThat(writer.handlerP95Seconds()).isCloseTo(0.95, withPercentage(12.5));
    AgentGraph.Handoff handoff = snapshot.handoffs().get(0);
    assertThat(handoff.from() + ">" + handoff.to()).isEqualTo("planner>writer");
    assertThat(handoff.messages()).isEqualTo(100);
    assertThat(handoff.deliveryP95Seconds()).isCloseTo(0.095, withPercentage(12.5));
    assertThat(snapshot.agents().get(0).sent()).isEqualTo(100);
    // A minute after they were recorded the events have left the window; the totals stay.
    now.addAndGet(TimeUnit.SECONDS.toNanos(31));
    AgentGraph.Snapshot later = graph.snapshot();
    assertThat(later.agents().get(1).handledPerSecond()).isZero();
    assertThat(later.agents().get(1).handlerP95Seconds()).isNaN();
    assertThat(later.agents().get(1).handled()).isEqualTo(100);
    assertThat(later.handoffs().get(0).perSecond()).isZero();
  }

  @Test
  void aYoungGraphDividesByItsAgeNotTheWholeWindow() {
    for (int i = 0; i < 20; i++) {
      handOff("a", "b", 1);
    }
    now.addAndGet(TimeUnit.SECONDS.toNanos(10));

    assertThat(graph.snapshot().handoffs().get(0).perSecond()).isEqualTo(2.0);
  }

  @Test
  void loopsAndStopsMarkTheirHandOffs() {
    handOff("ping", "pong", 1);
    handOff("pong", "ping", 1);
    graph.onLoop(new TransportListener.Loop("nats", "ping", "d", "ping>pong", true, "c-1"));
    graph.onRefused(new TransportListener.Refused("nats", "ping", "d", "loop", "c-1", "pong"));
    graph.onRefused(
        new TransportListener.Refused("nats", "ping", "d", "conversation_required", null, null));

    AgentGraph.Snapshot snapshot = graph.snapshot();

    assertThat(snapshot.handoffs())
        .extracting(h -> h.from() + ">" + h.to() + " loops " + h.loops() + " stops " + h.stops())
        .containsExactly("ping>pong loops 1 stops 0", "pong>ping loops 1 stops 1");
    assertThat(snapshot.agents()).extracting(AgentGraph.Agent::stops).containsExactly(2L, 0L);
    assertThat(snapshot.svg()).contains("stroke=\"#c62828\"", "1 loops", "1 stopped");
  }

  @Test
  void pastTheBoundAgentsCountAsOther() {
    AgentGraph small = AgentGraph.builder().setMaxAgents(3).setClock(now::get).build();
    for (int i = 0; i < 10; i++) {
      small.onReceived(
          new TransportListener.Received("nats", "sink", "d", "", "agent-" + i, 1, 1000, 1));
    }

    assertThat(small.snapshot().agents())
        .extracting(AgentGraph.Agent::name)
        .containsExactly("agent-0", "agent-1", "other", "sink");
    assertThat(small.snapshot().handoffs())
        .extracting(h -> h.from() + ">" + h.to() + " " + h.messages())
        .containsExactly("agent-0>sink 1", "agent-1>sink 1", "other>sink 8");
  }

  @Test
  void aMessageFromOutsideBatonDrawsNoHandOff() {
    graph.onReceived(new TransportListener.Received("nats", "sink", "d", "", null, 1, -1, 1));

    assertThat(graph.snapshot().handoffs()).isEmpty();
  }

  @Test
  void namesAreEscapedInTheImageAndThePage() {
    handOff("<script>", "b&\"c\"", 1);

    AgentGraph.Snapshot snapshot = graph.snapshot();

    assertThat(snapshot.svg() + GraphPage.html(snapshot))
        .doesNotContain("<script>", "b&\"c")
        .contains("&lt;script&gt;", "b&amp;&quot;c&quot;");
  }

  @Test
  void theBuilderSaysWhatIsWrong() {
    assertThatThrownBy(() -> AgentGraph.builder().setWindow(Duration.ofMillis(10)))
        .hasMessageContaining("at least 1 s");
    assertThatThrownBy(() -> AgentGraph.builder().setMaxAgents(1))
        .hasMessageContaining("maxAgents must be at least 2");
  }

  @Test
  void theServerServesThePageTheImageAndJsonToThoseWhoSeeDetails() throws Exception {
    handOff("planner", "writer", 5);
    handled("writer", 20, false);
    HttpClient http = HttpClient.newHttpClient();
    try (HealthManager manager = HealthManager.builder().build();
        HealthServer open =
            HealthServer.builder(manager)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setShowDetails(ShowDetails.always())
                .setGraph(graph)
                .start();
        HealthServer closed =
            HealthServer.builder(manager)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setGraph(graph)
                .start()) {
      HttpResponse<String> page = get(http, open, "/graph", "text/html");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(page.body()).contains("<svg", "data-agent=\"planner\"", "data-to=\"writer\"");

      HttpResponse<String> json = get(http, open, "/graph", "application/json");
      JsonNode doc = new ObjectMapper().readTree(json.body());
      assertThat(doc.path("agents").findValuesAsText("name")).containsExactly("planner", "writer");
      assertThat(doc.path("handoffs").get(0).path("from").asText()).isEqualTo("planner");
      assertThat(doc.path("handoffs").get(0).path("messages").asLong()).isEqualTo(1);
      assertThat(doc.path("window_seconds").asLong()).isEqualTo(60);
      assertThat(get(http, open, "/graph.json", "*/*").body()).isEqualTo(json.body());

      HttpResponse<String> svg = get(http, open, "/graph.svg", "*/*");
      assertThat(svg.headers().firstValue("Content-Type")).hasValue("image/svg+xml; charset=utf-8");
      assertThat(svg.body()).startsWith("<svg").contains("class=\"handoff\"");

      assertThat(get(http, closed, "/graph", "text/html").statusCode()).isEqualTo(403);
      assertThat(get(http, closed, "/graph.json", "*/*").body()).doesNotContain("planner");
      assertThat(get(http, open, "/graph/nodes", "*/*").statusCode()).isEqualTo(404);
    }
  }

  private static HttpResponse<String> get(
      HttpClient http, HealthServer server, String path, String accept) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Accept", accept)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
