/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import dev.baton.health.internal.Rolling;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The live agent graph, from the bus: who hands work to whom. Nodes are agents (messages handled
 * per second, the share that failed, the handler's p95, the state their heartbeats report); edges
 * are hand-offs (messages per second, p95 delivery latency, loops and budget stops). Add it as a
 * listener to each agent's {@code Baton} ({@code addListener(graph)}) and serve it with {@link
 * HealthServer.Builder#setGraph}: {@code /graph} as a page, an SVG image and JSON (with the states
 * of the server's {@link HeartbeatMonitor}).
 *
 * <pre>{@code
 * AgentGraph graph = AgentGraph.create();
 * Baton baton = Baton.builder(openTelemetry).setAgentName("planner").addListener(graph).build();
 * System.out.println(graph.snapshot(heartbeats).text());
 * }</pre>
 *
 * <p>Built from what each agent's listeners already hear (a receipt names its sender), with the
 * same bound as Baton's metrics: past {@link Builder#setMaxAgents} agent names, the rest count as
 * {@value #OTHER}. Recording allocates nothing once an agent or hand-off has been seen.
 * Thread-safe.
 */
public final class AgentGraph implements TransportListener {

  /** The node that stands for the agents past the bound. */
  public static final String OTHER = "other";

  private static final int SLOTS = 12;

  private final Duration window;
  private final long slotNanos;
  private final int maxAgents;
  private final LongSupplier clock;
  private final long createdNanos;
  private final ConcurrentHashMap<String, Node> nodes = new ConcurrentHashMap<>();

  private AgentGraph(Builder b) {
    this.window = b.window;
    this.slotNanos = b.window.toNanos() / SLOTS;
    this.maxAgents = b.maxAgents;
    this.clock = b.clock;
    this.createdNanos = clock.getAsLong();
  }

  /** {@return a graph with the defaults: a one-minute window, 100 agents} */
  public static AgentGraph create() {
    return builder().build();
  }

  /** {@return a builder with the defaults of {@link #create()}} */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void onProcessed(Processed event) {
    node(event.agent())
        .handled
        .record(
            clock.getAsLong(),
            event.durationNanos(),
            event.errorType() != null || event.outcome() != Outcome.ACK);
  }

  @Override
  public void onReceived(Received event) {
    if (event.senderAgent() == null) {
      return; // not from a Baton agent: no hand-off to draw
    }
    node(event.agent()); // a receiver that never finishes a message is still a node
    edge(event.senderAgent(), event.agent())
        .rolling
        .record(clock.getAsLong(), event.deliveryLatencyNanos(), false);
  }

  @Override
  public void onSent(Sent event) {
    node(event.agent()).sent.record(clock.getAsLong(), -1, event.errorType() != null);
  }

  @Override
  public void onLoop(Loop event) {
    String[] cycle = event.cycle().split(">", -1);
    for (int i = 0; i < cycle.length; i++) {
      edge(cycle[i], cycle[(i + 1) % cycle.length]).loops.addExtra();
    }
  }

  @Override
  public void onRefused(Refused event) {
    node(event.agent()).stops.addExtra();
    if (event.senderAgent() != null) {
      edge(event.senderAgent(), event.agent()).stops.addExtra();
    }
  }

  /**
   * {@return the graph now: every agent and hand-off seen, with the window's figures; no states}
   */
  public Snapshot snapshot() {
    return snapshot(null);
  }

  /**
   * {@return the graph now, each agent with the state and status its heartbeats report to {@code
   * heartbeats} (the worst of its instances), or none when {@code null}}
   *
   * @param heartbeats the monitor whose heartbeats give each agent its state, or {@code null}
   */
  public Snapshot snapshot(@Nullable HeartbeatMonitor heartbeats) {
    long now = clock.getAsLong();
    double seconds = Math.max(1e-9 * Math.min(window.toNanos(), now - createdNanos), 1.0);
    Map<String, AgentHealth> beats = new HashMap<>();
    if (heartbeats != null) {
      for (AgentHealth agent : heartbeats.agents()) {
        // Several instances of one agent: the worst of them speaks for it.
        beats.merge(
            agent.agentName(), agent, (a, b) -> a.status().compareTo(b.status()) >= 0 ? a : b);
      }
    }
    List<Agent> agents = new ArrayList<>();
    List<Handoff> handoffs = new ArrayList<>();
    nodes.forEach(
        (name, node) -> {
          Rolling.Reading handled = node.handled.read(now);
          Rolling.Reading sent = node.sent.read(now);
          AgentHealth beat = beats.get(name);
          agents.add(
              new Agent(
                  name,
                  beat == null ? null : beat.status().name(),
                  beat == null ? null : beat.state(),
                  handled.count() / seconds,
                  handled.count() == 0 ? 0 : (double) handled.failed() / handled.count(),
                  handled.p95Nanos() < 0 ? Double.NaN : handled.p95Nanos() / 1e9,
                  handled.total(),
                  handled.totalFailed(),
                  sent.total(),
                  node.stops.read(now).extra()));
          node.out.forEach(
              (to, edge) -> {
                Rolling.Reading r = edge.rolling.read(now);
                handoffs.add(
                    new Handoff(
                        name,
                        to,
                        r.count() / seconds,
                        r.p95Nanos() < 0 ? Double.NaN : r.p95Nanos() / 1e9,
                        r.total(),
                        edge.loops.read(now).extra(),
                        edge.stops.read(now).extra()));
              });
        });
    agents.sort(Comparator.comparing(Agent::name));
    handoffs.sort(Comparator.comparing(Handoff::from).thenComparing(Handoff::to));
    return new Snapshot(window, agents, handoffs);
  }

  private Node node(String name) {
    Node node = nodes.get(name);
    if (node == null) {
      if (nodes.size() >= maxAgents && !name.equals(OTHER)) {
        return node(OTHER);
      }
      node = nodes.computeIfAbsent(name, n -> new Node());
    }
    return node;
  }

  private Edge edge(String from, String to) {
    Node source = node(from);
    String target = nodes.containsKey(to) || nodes.size() < maxAgents ? to : OTHER;
    node(target);
    Edge edge = source.out.get(target);
    return edge != null ? edge : source.out.computeIfAbsent(target, t -> new Edge());
  }

  private Rolling rolling() {
    return new Rolling(SLOTS, slotNanos);
  }

  private final class Node {
    final Rolling handled = rolling();
    final Rolling sent = rolling();
    final Rolling stops = rolling();
    final ConcurrentHashMap<String, Edge> out = new ConcurrentHashMap<>();
  }

  private final class Edge {
    final Rolling rolling = rolling();
    final Rolling loops = rolling();
    final Rolling stops = rolling();
  }

  /**
   * One agent in a {@link Snapshot}.
   *
   * @param name the agent's name
   * @param status its heartbeats' health status ({@code HEALTHY}, {@code UNHEALTHY}, ...), or
   *     {@code null} without heartbeats
   * @param state the state its heartbeats report ({@code idle}, {@code working}, ...), or {@code
   *     null}
   * @param handledPerSecond messages handled per second over the window
   * @param errorShare the share of those whose handler failed (0 to 1)
   * @param handlerP95Seconds the handler's 95th percentile over the window, NaN when none
   * @param handled messages handled since the start
   * @param failed of those, failed
   * @param sent messages sent since the start
   * @param stops messages refused by its conversation policy (budgets, loops) since the start
   */
  public record Agent(
      String name,
      @Nullable String status,
      @Nullable String state,
      double handledPerSecond,
      double errorShare,
      double handlerP95Seconds,
      long handled,
      long failed,
      long sent,
      long stops) {}

  /**
   * One hand-off (directed edge) in a {@link Snapshot}.
   *
   * @param from the sending agent
   * @param to the receiving agent
   * @param perSecond messages per second over the window
   * @param deliveryP95Seconds the delivery latency's 95th percentile over the window, NaN when none
   * @param messages messages since the start
   * @param loops loops of conversations this hand-off was part of, since the start
   * @param stops messages on it refused by the receiver's budgets or loop breaks, since the start
   */
  public record Handoff(
      String from,
      String to,
      double perSecond,
      double deliveryP95Seconds,
      long messages,
      long loops,
      long stops) {}

  /**
   * The graph at one moment.
   *
   * @param window how far back the per-second and p95 figures look
   * @param agents the agents, by name
   * @param handoffs the hand-offs, by sender then receiver
   */
  public record Snapshot(Duration window, List<Agent> agents, List<Handoff> handoffs) {
    /**
     * Copies the lists.
     *
     * @param agents the agents, by name
     * @param handoffs the hand-offs, by sender then receiver
     * @param window how far back the per-second and p95 figures look
     */
    public Snapshot {
      Objects.requireNonNull(window, "window");
      agents = List.copyOf(agents);
      handoffs = List.copyOf(handoffs);
    }

    /**
     * {@return the graph as text: one line per agent, one per hand-off (for a terminal or a log)}
     */
    public String text() {
      return GraphText.text(this);
    }

    /** {@return the graph as an SVG image} */
    public String svg() {
      return GraphSvg.svg(this);
    }
  }

  /** Builds an {@link AgentGraph}. Not thread-safe. */
  public static final class Builder {
    private Duration window = Duration.ofMinutes(1);
    private int maxAgents = 100;
    private LongSupplier clock = System::nanoTime;

    private Builder() {}

    /**
     * How far back the per-second and p95 figures look. Default one minute; at least 1 s.
     *
     * @param window how far back the figures look, at least 1 s
     * @return this builder
     */
    public Builder setWindow(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "the graph's window must be at least 1 s, was " + window);
      }
      this.window = window;
      return this;
    }

    /**
     * At most this many agent names (default 100, as Baton's metrics label values); the rest count
     * as {@value AgentGraph#OTHER}.
     *
     * @param maxAgents the most agent names kept, at least 1
     * @return this builder
     */
    public Builder setMaxAgents(int maxAgents) {
      if (maxAgents < 2) {
        throw new IllegalArgumentException("maxAgents must be at least 2, was " + maxAgents);
      }
      this.maxAgents = maxAgents;
      return this;
    }

    /** The clock (nanoseconds, as {@link System#nanoTime()}); for tests. */
    Builder setClock(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the graph.
     *
     * @return the graph, empty until agents hand off work
     */
    public AgentGraph build() {
      return new AgentGraph(this);
    }
  }
}
