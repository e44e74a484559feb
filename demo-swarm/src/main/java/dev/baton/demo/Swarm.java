/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.health.AgentGraph;
import dev.baton.health.AgentHealth;
import dev.baton.health.Criticality;
import dev.baton.health.HealthCheck;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.health.HealthStatus;
import dev.baton.health.HeartbeatMonitor;
import dev.baton.health.Heartbeats;
import dev.baton.health.JdbcHealthCheck;
import dev.baton.health.ShowDetails;
import dev.baton.metrics.AgentMetrics;
import dev.baton.metrics.BacklogLimits;
import dev.baton.metrics.BackplaneChecks;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.PrometheusScrape;
import dev.baton.metrics.TraceExemplars;
import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;
import dev.baton.transport.internal.BatonVersion;
import dev.baton.transport.internal.DaemonThreads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The swarm in this process: the broker, the agents of the configured role (all five by default,
 * each its own service and Baton), metrics, health and endpoints, the task store, and traces. Start
 * with {@link #start}; close to stop everything it started, the embedded broker included.
 *
 * <p>Longer than 400 lines, for a reason: it is the demo's wiring, read top to bottom in its
 * constructor, and the start-up order (broker, telemetry, metrics, agents, health, server) is the
 * thing to see; the parts it wires are classes of their own.
 */
final class Swarm implements AutoCloseable {

  private final SwarmConfig config;
  private final Backplane backplane;
  private final Telemetry telemetry;
  private final PrometheusMeterRegistry registry;
  private final BackplaneMetrics metrics;
  private final AgentCosts costs = new AgentCosts();
  private final ConversationLog conversations = new ConversationLog();
  private final AgentGraph graph = AgentGraph.create();
  private final AgentMetrics agentMetrics;
  private final @Nullable TaskStore store;
  private final SwarmParts.Reconnects reconnects = new SwarmParts.Reconnects();
  private final List<Agent> agents = new ArrayList<>();
  private final @Nullable Coordinator coordinator;
  private final @Nullable SpanRelay relay;
  private final HeartbeatMonitor heartbeats;
  private final HealthCheck brokerCheck;
  private final HealthManager health;
  private final HealthServer server;
  private final ScheduledExecutorService scheduler;
  private final PrintStream out;
  private final AtomicInteger treesToPrint = new AtomicInteger();

  private Swarm(
      SwarmConfig config, Backplane backplane, @Nullable SpanExporter extra, PrintStream out)
      throws Exception {
    this.config = config;
    this.backplane = backplane;
    this.out = out;
    boolean multiProcess = !config.transport().equals("embedded");
    // On a shared broker other processes may run hops: trees name the agent (the replica).
    this.telemetry = new Telemetry(config.otlpEndpoint(), extra, multiProcess);
    this.registry = TraceExemplars.prometheusRegistry();
    this.metrics = BackplaneMetrics.builder().addDestinationPattern("baton.replies.*").build();
    MeterRegistry meters = registry;
    if (telemetry.pushingMetrics()) {
      // Served on /metrics and pushed over OTLP by the same OTEL_* settings as the traces.
      CompositeMeterRegistry both = new CompositeMeterRegistry();
      both.add(registry);
      both.add(telemetry.pushRegistry());
      meters = both;
    }
    metrics.bindTo(meters);
    telemetry.exportWatch().bindTo(meters);
    this.store = config.needsStore() ? new TaskStore(config.jdbcUrl()) : null;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-demo"));
    HeartbeatMonitor monitor = null;
    AgentMetrics agentMetrics = null;
    HealthCheck check = null;
    HealthManager manager = null;
    HealthServer httpServer = null;
    SpanRelay spanRelay = null;
    Coordinator coordinatorAgent = null;
    try {
      if (multiProcess && config.printTraces()) {
        // Other processes may run some of a task's hops: their spans come over the broker.
        spanRelay =
            new SpanRelay(
                backplane.transport(
                    Baton.builder(OpenTelemetry.noop())
                        .setAgentName("span-relay")
                        .setAgentId("span-relay-" + config.instance())
                        .build()),
                ProcessHandle.current().pid() + "/" + config.instance());
        telemetry.tree().forwardLocalSpans(spanRelay::offer);
        FunctionCounter.builder("baton.demo.spans.not.relayed", spanRelay, SpanRelay::dropped)
            .description("Spans the demo could not relay to the coordinators' trace trees.")
            .register(registry);
      }
      SwarmParts parts =
          new SwarmParts(config, metrics, reconnects, store, costs, conversations, graph);
      if (config.runs(Roles.COORDINATOR)) {
        coordinatorAgent =
            new Coordinator(
                backplane,
                forAgent(Roles.COORDINATOR),
                parts,
                Duration.ofSeconds(90),
                this::finished);
        agents.add(coordinatorAgent);
        if (spanRelay != null) {
          spanRelay.deliverTo(telemetry.tree()).awaitReady(Duration.ofSeconds(60));
        }
      }
      if (coordinatorAgent != null && config.loop()) {
        agents.add(
            new Workers.Bouncer(
                Roles.CRITIC,
                Roles.CRITIQUE,
                Roles.REVISE,
                "find one more flaw",
                backplane,
                forAgent(Roles.CRITIC),
                parts));
        agents.add(
            new Workers.Bouncer(
                Roles.REVISER,
                Roles.REVISE,
                Roles.CRITIQUE,
                "answer the critique",
                backplane,
                forAgent(Roles.REVISER),
                parts));
      }
      if (config.runs(Roles.RESEARCHER)) {
        agents.add(new Workers.Researcher(backplane, forAgent(Roles.RESEARCHER), parts));
      }
      if (config.runs(Roles.CODER)) {
        agents.add(new Workers.Coder(backplane, forAgent(Roles.CODER), parts));
      }
      if (config.runs(Roles.REVIEWER)) {
        agents.add(new Workers.Reviewer(backplane, forAgent(Roles.REVIEWER), parts));
      }
      if (config.runs(Roles.SUMMARIZER)) {
        agents.add(new Workers.Summarizer(backplane, forAgent(Roles.SUMMARIZER), parts));
      }
      monitor = Heartbeats.monitor(agents.get(0).bus);
      agentMetrics = AgentMetrics.create(monitor);
      agentMetrics.bindTo(meters);
      check = backplane.healthCheck();
      HealthManager.Builder checks =
          HealthManager.builder()
              .addCheck(check)
              .addCheck(
                  BackplaneChecks.backlog(metrics, BacklogLimits.defaults()),
                  Criticality.NON_CRITICAL)
              .setInterval(Duration.ofSeconds(5));
      if (store != null) {
        checks.addCheck(JdbcHealthCheck.builder(store.dataSource()).build());
      }
      if (telemetry.exporting()) {
        // Lost traces are a reason to look, not to take the swarm out of service.
        checks.addCheck(telemetry.exportWatch().healthCheck(), Criticality.NON_CRITICAL);
      }
      manager = checks.build();
      httpServer =
          HealthServer.builder(manager)
              .setAddress(new InetSocketAddress(config.listen(), config.port()))
              .setShowDetails(showDetails(config.listen(), System.getenv("BATON_HEALTH_TOKEN")))
              .setVersion(BatonVersion.get())
              .setHeartbeats(monitor)
              .setGraph(graph)
              .setPendingTasks(metrics::totalLag)
              .setQueueDepth(metrics::totalQueueDepth)
              .addContext("/metrics", PrometheusScrape.handler(registry))
              .start();
      if (coordinatorAgent != null) {
        scheduler.scheduleWithFixedDelay(coordinatorAgent::sweep, 250, 250, TimeUnit.MILLISECONDS);
      }
      for (Agent agent : agents) {
        if (!agent.awaitReady(Duration.ofSeconds(60))) {
          throw new IllegalStateException(agent.role + " could not subscribe within 60 s");
        }
        agent.ready();
      }
      monitor.subscription().awaitReady(Duration.ofSeconds(60));
      manager.markStarted();
    } catch (Exception | Error e) {
      if (httpServer != null) {
        httpServer.close();
      }
      if (manager != null) {
        manager.close();
      }
      if (monitor != null) {
        monitor.close();
      }
      for (int i = agents.size() - 1; i >= 0; i--) {
        agents.get(i).close();
      }
      scheduler.shutdownNow();
      telemetry.close();
      if (spanRelay != null) {
        spanRelay.close();
      }
      throw e;
    }
    this.coordinator = coordinatorAgent;
    this.relay = spanRelay;
    this.heartbeats = monitor;
    this.agentMetrics = agentMetrics;
    this.brokerCheck = check;
    this.health = manager;
    this.server = httpServer;
  }

  private OpenTelemetry forAgent(String role) {
    return telemetry.forAgent(role, config.agentId(role));
  }

  /** Starts the swarm on the configured broker; the caller closes it. */
  static Swarm start(SwarmConfig config, @Nullable SpanExporter extra, PrintStream out)
      throws Exception {
    if (config.port() != 0) {
      // Fail before starting a broker or agents when the port is taken.
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress("0.0.0.0", config.port()));
      }
    }
    Backplane backplane =
        switch (config.transport()) {
          case "nats" -> new NatsBackplane(config.natsUrl());
          case "kafka" -> KafkaBackplane.connect(config.bootstrapServers(), config.kafkaConfig());
          default -> KafkaBackplane.embedded();
        };
    try {
      refuseASecondProcessOnAPrivateStore(config, backplane);
      return new Swarm(config, backplane, extra, out);
    } catch (Exception e) {
      backplane.close();
      throw e;
    }
  }

  /**
   * All five roles on a shared broker with the in-memory store: the broker's groups would split
   * tasks with any other swarm process, whose store this one cannot see. Listens to the agents'
   * heartbeats (every 2 s) before joining any group, and refuses when another process's agents
   * beat.
   */
  private static void refuseASecondProcessOnAPrivateStore(SwarmConfig config, Backplane backplane)
      throws Exception {
    if (config.transport().equals("embedded") || !config.jdbcUrl().startsWith("jdbc:h2:mem:")) {
      return;
    }
    try (Transport bus =
            backplane.transport(
                Baton.builder(OpenTelemetry.noop())
                    .setAgentName("swarm-check")
                    .setAgentId("swarm-check-" + config.instance())
                    .build());
        HeartbeatMonitor monitor = Heartbeats.monitor(bus)) {
      monitor.subscription().awaitReady(Duration.ofSeconds(30));
      // Every running agent beats once per interval: wait for one, at most an interval and a
      // margin (an agent whose beat is due just after the subscription became ready).
      long deadline = System.nanoTime() + Agent.HEARTBEAT_INTERVAL.plusMillis(500).toNanos();
      List<String> others = healthyAgents(monitor);
      while (others.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
        others = healthyAgents(monitor);
      }
      if (!others.isEmpty()) {
        throw new IllegalStateException(
            "another swarm process is running on this broker (its agents "
                + String.join(", ", others)
                + "); processes share tasks through a shared task store only: start each with"
                + " --jdbc-url jdbc:postgresql://... (the default in-memory H2 store is this"
                + " process's alone)");
      }
    }
  }

  private static List<String> healthyAgents(HeartbeatMonitor monitor) {
    return monitor.agents().stream()
        .filter(a -> a.status() == HealthStatus.HEALTHY)
        .map(AgentHealth::agentId)
        .sorted()
        .toList();
  }

  String describeBroker() {
    return backplane.describe();
  }

  int port() {
    return server.port();
  }

  /** The task store, or {@code null} when this process's role keeps nothing in it. */
  @Nullable TaskStore store() {
    return store;
  }

  /** Whether this process runs a coordinator (and so can {@link #submit}). */
  boolean hasCoordinator() {
    return coordinator != null;
  }

  /** What each agent in this process cost so far, for the summary. */
  AgentCosts costs() {
    return costs;
  }

  /** Who handed work to whom in this process, with each agent's state from its heartbeats. */
  AgentGraph.Snapshot graph() {
    return graph.snapshot(heartbeats);
  }

  /** The conversations' totals, stops and loops this process's agents saw. */
  ConversationLog conversations() {
    return conversations;
  }

  /** The ids of this process's agents. */
  List<String> agentIds() {
    return agents.stream().map(a -> a.agentId).toList();
  }

  /** Work messages (not heartbeats) this process's agents handled successfully. */
  long handled() {
    return (long)
        registry.find("baton.processed.messages").tag("outcome", "success").counters().stream()
            .filter(
                c ->
                    c.getId().getTags().stream()
                        .noneMatch(t -> t.getValue().equals(Transport.HEARTBEATS)))
            .mapToDouble(Counter::count)
            .sum();
  }

  /** How often the broker came back after the swarm lost it. */
  int reconnects() {
    return reconnects.count();
  }

  /** Deliveries of messages a handler had been given before, over all agents. */
  long redeliveries() {
    return (long)
        registry.find("baton.redelivered.messages").counters().stream()
            .mapToDouble(Counter::count)
            .sum();
  }

  TraceTree traces() {
    return telemetry.tree();
  }

  CompletableFuture<Coordinator.Outcome> submit(String prompt) throws Exception {
    return submit(prompt, false);
  }

  /**
   * Submits a task; a {@code large} one makes the coder read a whole codebase (tens of thousands of
   * tokens per call: what {@code --budget} stops).
   */
  CompletableFuture<Coordinator.Outcome> submit(String prompt, boolean large) throws Exception {
    if (coordinator == null) {
      throw new IllegalStateException(
          "this process runs no coordinator (--role " + config.role() + ")");
    }
    return coordinator.submit(prompt, large);
  }

  /**
   * Waits (at most {@code timeout}) until the trees of finished tasks are printed: a tree waits for
   * spans from other processes.
   */
  boolean awaitTreesPrinted(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (treesToPrint.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  private void finished(Coordinator.Outcome outcome) {
    if (config.printTraces() && !outcome.traceId().isEmpty()) {
      treesToPrint.incrementAndGet();
      // Give the last spans (the reviewer's send, the coordinator's process) a moment to end, and
      // those of other processes time to come over: print once the tree is whole, or after 5 s.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      scheduler.schedule(() -> printWhenWhole(outcome, deadline), 300, TimeUnit.MILLISECONDS);
    } else if (!outcome.traceId().isEmpty()) {
      traces().forget(outcome.traceId());
    }
  }

  private void printWhenWhole(Coordinator.Outcome outcome, long deadline) {
    if (!traces().complete(outcome.traceId()) && System.nanoTime() < deadline) {
      scheduler.schedule(() -> printWhenWhole(outcome, deadline), 100, TimeUnit.MILLISECONDS);
      return;
    }
    try {
      traces().print(outcome.traceId(), outcome.describe(), out);
      traces().forget(outcome.traceId());
    } finally {
      treesToPrint.decrementAndGet();
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    health.close();
    heartbeats.close();
    for (int i = agents.size() - 1; i >= 0; i--) {
      agents.get(i).close();
    }
    if (brokerCheck instanceof AutoCloseable closeable) {
      closeable.close();
    }
    scheduler.shutdownNow();
    telemetry.close();
    if (relay != null) {
      relay.close(); // after the SDKs' last spans
    }
    agentMetrics.close();
    metrics.close();
    backplane.close();
  }

  /**
   * Who sees health details: anyone on a loopback address (the demo's default: whoever can reach it
   * runs on this machine), else only callers with {@code Authorization: Bearer $token}, and nobody
   * without a token.
   */
  static ShowDetails showDetails(String listen, @Nullable String token) {
    if (isLoopback(listen)) {
      return ShowDetails.always();
    }
    return token == null || token.isBlank()
        ? ShowDetails.never()
        : ShowDetails.whenAuthorized(token);
  }

  /** What the start-up banner says about health details. */
  static String describeDetails(String listen, @Nullable String token) {
    if (isLoopback(listen)) {
      return "every detail, to anyone on this machine (a demo setting: a library default shows none)";
    }
    return token == null || token.isBlank()
        ? "status only (set BATON_HEALTH_TOKEN to see details with a bearer token)"
        : "status only, details with Authorization: Bearer $BATON_HEALTH_TOKEN";
  }

  private static boolean isLoopback(String listen) {
    try {
      return InetAddress.getByName(listen).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
