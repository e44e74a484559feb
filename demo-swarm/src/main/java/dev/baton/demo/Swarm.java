package dev.baton.demo;

import dev.baton.health.HealthCheck;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.health.Heartbeats;
import dev.baton.health.JdbcHealthCheck;
import dev.baton.metrics.BacklogLimits;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.PrometheusScrape;
import dev.baton.transport.internal.DaemonThreads;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The whole swarm: broker, five agents (each its own service and Baton), metrics, health and
 * endpoints, the task store, and traces. Start with {@link #start}; close to stop everything it
 * started, the embedded broker included.
 */
final class Swarm implements AutoCloseable {

  private final SwarmConfig config;
  private final Backplane backplane;
  private final Telemetry telemetry;
  private final PrometheusMeterRegistry registry;
  private final BackplaneMetrics metrics;
  private final TaskStore store;
  private final SwarmParts.Reconnects reconnects = new SwarmParts.Reconnects();
  private final List<Agent> agents = new ArrayList<>();
  private final Coordinator coordinator;
  private final Heartbeats.Monitor heartbeats;
  private final HealthCheck brokerCheck;
  private final HealthManager health;
  private final HealthServer server;
  private final ScheduledExecutorService scheduler;
  private final PrintStream out;

  private Swarm(
      SwarmConfig config, Backplane backplane, @Nullable SpanExporter extra, PrintStream out)
      throws Exception {
    this.config = config;
    this.backplane = backplane;
    this.out = out;
    this.telemetry = new Telemetry(config.otlpEndpoint(), extra);
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = BackplaneMetrics.builder().addDestinationPattern("baton.replies.*").build();
    metrics.bindTo(registry);
    telemetry.exportWatch().bindTo(registry);
    this.store = new TaskStore(config.jdbcUrl());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-demo"));
    Heartbeats.Monitor monitor = null;
    HealthCheck check = null;
    HealthManager manager = null;
    HealthServer httpServer = null;
    try {
      SwarmParts parts = new SwarmParts(config, metrics, reconnects);
      this.coordinator =
          new Coordinator(
              backplane,
              telemetry.forAgent(Roles.COORDINATOR, "coordinator-1"),
              parts,
              store,
              Duration.ofSeconds(90),
              this::finished);
      agents.add(coordinator);
      agents.add(
          new Workers.Researcher(
              backplane, telemetry.forAgent(Roles.RESEARCHER, "researcher-1"), parts));
      agents.add(new Workers.Coder(backplane, telemetry.forAgent(Roles.CODER, "coder-1"), parts));
      agents.add(
          new Workers.Reviewer(backplane, telemetry.forAgent(Roles.REVIEWER, "reviewer-1"), parts));
      agents.add(
          new Workers.Summarizer(
              backplane, telemetry.forAgent(Roles.SUMMARIZER, "summarizer-1"), parts));
      monitor = Heartbeats.monitor(coordinator.bus.subscriber());
      check = backplane.healthCheck();
      HealthManager.Builder checks =
          HealthManager.builder()
              .addCheck(check)
              .addCheck(JdbcHealthCheck.builder(store.dataSource()).build())
              .addCheck(metrics.backlogCheck(BacklogLimits.defaults()), false)
              .setInterval(Duration.ofSeconds(5));
      if (telemetry.exporting()) {
        // Lost traces are a reason to look, not to take the swarm out of service.
        checks.addCheck(telemetry.exportWatch().healthCheck(), false);
      }
      manager = checks.build();
      httpServer =
          HealthServer.builder(manager)
              .setAddress(new InetSocketAddress("0.0.0.0", config.port()))
              .setVersion("0.1.0")
              .setHeartbeats(monitor)
              .setPendingTasks(metrics::totalLag)
              .setQueueDepth(metrics::totalQueueDepth)
              .addContext("/metrics", PrometheusScrape.handler(registry))
              .start();
      scheduler.scheduleWithFixedDelay(coordinator::sweep, 1, 1, TimeUnit.SECONDS);
      for (Agent agent : agents) {
        if (!agent.awaitReady(Duration.ofSeconds(60))) {
          throw new IllegalStateException(agent.role + " could not subscribe within 60 s");
        }
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
      throw e;
    }
    this.heartbeats = monitor;
    this.brokerCheck = check;
    this.health = manager;
    this.server = httpServer;
  }

  /** Starts the swarm on the configured broker; the caller closes it. */
  static Swarm start(SwarmConfig config, @Nullable SpanExporter extra, PrintStream out)
      throws Exception {
    if (config.port() != 0) {
      // Fail before starting a broker or agents when the port is taken.
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.bind(new InetSocketAddress("0.0.0.0", config.port()));
      }
    }
    Backplane backplane =
        switch (config.transport()) {
          case "nats" -> new NatsBackplane(config.natsUrl());
          case "kafka" -> KafkaBackplane.connect(config.bootstrapServers());
          default -> KafkaBackplane.embedded();
        };
    try {
      return new Swarm(config, backplane, extra, out);
    } catch (Exception e) {
      backplane.close();
      throw e;
    }
  }

  String describeBroker() {
    return backplane.describe();
  }

  int port() {
    return server.port();
  }

  TaskStore store() {
    return store;
  }

  /** How often the broker came back after the swarm lost it. */
  int reconnects() {
    return reconnects.count();
  }

  /** Deliveries of messages a handler had been given before, over all agents. */
  long redeliveries() {
    return (long)
        registry.find("baton.redelivered.messages").counters().stream()
            .mapToDouble(io.micrometer.core.instrument.Counter::count)
            .sum();
  }

  TraceTree traces() {
    return telemetry.tree();
  }

  CompletableFuture<Coordinator.Outcome> submit(String prompt) throws Exception {
    return coordinator.submit(prompt);
  }

  private void finished(Coordinator.Outcome outcome) {
    if (config.printTraces() && !outcome.traceId().isEmpty()) {
      // Give the last spans (the reviewer's send, the coordinator's process) a moment to end.
      scheduler.schedule(
          () -> {
            traces()
                .print(
                    outcome.traceId(),
                    outcome.taskId() + " " + outcome.status() + " in " + outcome.millis() + " ms",
                    out);
            traces().forget(outcome.traceId());
          },
          300,
          TimeUnit.MILLISECONDS);
    } else if (!outcome.traceId().isEmpty()) {
      traces().forget(outcome.traceId());
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
    metrics.close();
    backplane.close();
  }
}
