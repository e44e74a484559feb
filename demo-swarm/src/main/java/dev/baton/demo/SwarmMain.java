/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.transport.internal.BatonVersion;
import dev.baton.transport.internal.Redaction;
import java.io.PrintStream;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's command line: starts the swarm (an embedded Kafka broker when no broker is given),
 * submits tasks, shows progress, prints each finished task's trace tree and a summary. Exit code 0
 * when the run finished (injected failures included), 2 for bad options, 3 when it could not start.
 */
public final class SwarmMain {

  private static final String[] PROMPTS = {
    "add retries to the payment client",
    "explain the lag alert on agents.research",
    "write a parser for the task format",
    "summarize yesterday's incidents",
    "port the scheduler to virtual threads"
  };

  /** The task {@code --budget} stops: the coder reads a whole codebase into every prompt. */
  private static final String LARGE_PROMPT =
      "rewrite the billing monolith (reads the whole codebase)";

  /** Counted down when the process is asked to stop (Ctrl-C, SIGTERM): the run ends cleanly. */
  private static final CountDownLatch STOP = new CountDownLatch(1);

  private SwarmMain() {}

  public static void main(String[] args) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  STOP.countDown();
                  try {
                    // Let the run close its agents (they finish the message in hand) and print.
                    stopped.await(20, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "baton-demo-stop"));
    int code = run(Arrays.asList(args), System.out, System.err);
    stopped.countDown();
    System.exit(code);
  }

  /** Runs the demo; returns the exit code. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(SwarmConfig.USAGE);
      return 0;
    }
    SwarmConfig config;
    try {
      config = SwarmConfig.parse(args, System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT"));
    } catch (IllegalArgumentException e) {
      err.println("baton-demo-swarm: " + e.getMessage() + " (see --help)");
      return 2;
    }
    out.println("Baton demo swarm " + BatonVersion.get());
    if (config.transport().equals("embedded")) {
      out.println(
          "No broker given: starting an embedded Kafka broker (KRaft, a child JVM of this one).");
      out.println("Nothing needs installing; use --transport nats|kafka for a broker of your own.");
    }
    Swarm swarm;
    try {
      swarm = Swarm.start(config, null, out);
    } catch (BindException e) {
      err.println(
          "baton-demo-swarm: port " + config.port() + " is taken; choose another with --port");
      return 3;
    } catch (Exception e) {
      err.println("baton-demo-swarm: could not start on " + where(config) + ": " + message(e));
      return 3;
    }
    try (swarm) {
      out.println("Broker: " + swarm.describeBroker());
      out.println("Agents: " + String.join(", ", swarm.agentIds()));
      String host = config.listen().equals("0.0.0.0") ? "127.0.0.1" : config.listen();
      out.println(
          "Health: http://"
              + host
              + ":"
              + swarm.port()
              + "/health   Metrics: http://"
              + host
              + ":"
              + swarm.port()
              + "/metrics   Agent graph: http://"
              + host
              + ":"
              + swarm.port()
              + "/graph");
      out.println(
          "Health details: "
              + Swarm.describeDetails(config.listen(), System.getenv("BATON_HEALTH_TOKEN")));
      out.println(
          config.otlpEndpoint() != null
              ? "Traces: OTLP/HTTP to " + config.otlpEndpoint()
              : swarm.hasCoordinator()
                  ? "Traces: printed below as trees (set --otlp-endpoint or OTEL_EXPORTER_OTLP_ENDPOINT for Jaeger)"
                  : "Traces: relayed over the broker to the coordinators, which print them as trees");
      if (swarm.hasCoordinator()) {
        out.println("Outside callers: publish {\"prompt\": \"...\"} to " + Roles.SUBMIT);
      }
      out.println();
      return swarm.hasCoordinator() && config.tasks() > 0
          ? drive(swarm, config, out)
          : serve(swarm, config, out);
    } catch (Exception e) {
      err.println("baton-demo-swarm: stopped: " + message(e));
      return 1;
    }
  }

  /**
   * Runs agents that take work from other processes until {@code --duration} has passed or the
   * process is asked to stop, printing what they handled every 10 s.
   */
  private static int serve(Swarm swarm, SwarmConfig config, PrintStream out) throws Exception {
    long started = System.nanoTime();
    out.println(
        config.duration() == null
            ? "Serving until stopped (Ctrl-C)."
            : "Serving for " + config.duration().toSeconds() + " s.");
    long left = config.duration() == null ? Long.MAX_VALUE : config.duration().toMillis();
    while (left > 0 && !STOP.await(Math.min(left, 10_000), TimeUnit.MILLISECONDS)) {
      left -= 10_000;
      out.println("handled: " + swarm.handled() + " messages");
    }
    out.println();
    out.println("Summary");
    out.printf("  %-22s %s%n", "agents", String.join(", ", swarm.agentIds()));
    out.printf("  %-22s %d%n", "messages handled", swarm.handled());
    out.printf("  %-22s %.1f s%n", "wall time", (System.nanoTime() - started) / 1e9);
    out.printf("  %-22s %d%n", "broker reconnects", swarm.reconnects());
    out.printf("  %-22s %d%n", "redeliveries", swarm.redeliveries());
    out.println();
    out.println("Per agent");
    swarm.costs().print(out, Roles.ALL);
    out.println();
    out.print(swarm.graph().text());
    return 0;
  }

  private static int drive(Swarm swarm, SwarmConfig config, PrintStream out) throws Exception {
    List<CompletableFuture<Coordinator.Outcome>> tasks = new ArrayList<>();
    // Each task once counted: a task's future is done before the stage that counts it has run.
    List<CompletableFuture<Void>> counted = new ArrayList<>();
    List<Long> latencies = new CopyOnWriteArrayList<>();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger stopped = new AtomicInteger();
    double totalCost = 0;
    long started = System.nanoTime();
    long deadline =
        config.duration() == null ? Long.MAX_VALUE : started + config.duration().toNanos();
    long nextProgress = started + TimeUnit.SECONDS.toNanos(2);
    long gapNanos = (long) (1e9 / config.rate());
    int submitted = 0;
    long nextSubmit = started;
    while (true) {
      long now = System.nanoTime();
      boolean more = config.duration() == null ? submitted < config.tasks() : now < deadline;
      if ((!more && counted.stream().allMatch(CompletableFuture::isDone)) || STOP.getCount() == 0) {
        break;
      }
      if (more && now >= nextSubmit) {
        // With --budget the second task is a large one, made to go over it.
        boolean large = config.budget() != null && submitted == 1;
        CompletableFuture<Coordinator.Outcome> task =
            large
                ? swarm.submit(LARGE_PROMPT, true)
                : swarm.submit(PROMPTS[submitted % PROMPTS.length]);
        counted.add(
            task.thenAccept(
                outcome -> {
                  switch (outcome.status()) {
                    case "done" -> {
                      done.incrementAndGet();
                      latencies.add(outcome.millis());
                    }
                    case "stopped" -> stopped.incrementAndGet();
                    default -> failed.incrementAndGet();
                  }
                }));
        tasks.add(task);
        submitted++;
        nextSubmit += gapNanos;
      }
      if (now >= nextProgress) {
        out.println(
            progress(submitted, done.get(), failed.get(), stopped.get(), latencies, now - started));
        nextProgress += TimeUnit.SECONDS.toNanos(2);
      }
      Thread.sleep(10);
    }
    swarm.awaitTreesPrinted(Duration.ofSeconds(6)); // a tree may wait for other processes' spans
    for (CompletableFuture<Coordinator.Outcome> task : tasks) {
      totalCost += task.isDone() ? task.get().costUsd() : 0;
    }
    long elapsed = System.nanoTime() - started;
    out.println();
    out.println(progress(submitted, done.get(), failed.get(), stopped.get(), latencies, elapsed));
    out.println();
    out.println("Summary");
    out.printf("  %-22s %s%n", "broker", swarm.describeBroker());
    out.printf("  %-22s %d%n", "tasks submitted", submitted);
    out.printf("  %-22s %d%n", "tasks done", done.get());
    out.printf("  %-22s %d%n", "tasks failed", failed.get());
    out.printf(
        "  %-22s %d%s%n",
        "tasks stopped",
        stopped.get(),
        config.budget() == null ? "" : " (budget " + config.budget() + ")");
    out.printf("  %-22s %.1f s%n", "wall time", elapsed / 1e9);
    out.printf("  %-22s %d%n", "broker reconnects", swarm.reconnects());
    out.printf("  %-22s %d%n", "redeliveries", swarm.redeliveries());
    out.printf("  %-22s %s%n", "latency p50 / p95 / max", percentiles(latencies));
    out.printf("  %-22s $%.4f%n", "simulated LLM cost", totalCost);
    TaskStore store = swarm.store();
    if (store != null) {
      out.printf(
          "  %-22s %d rows%s%n",
          "task store",
          store.all().size(),
          config.role().equals(SwarmConfig.ALL_ROLES) ? "" : " (shared: every process and run)");
    }
    out.println();
    swarm.conversations().print(out);
    out.println();
    out.println("Per agent");
    swarm.costs().print(out, Roles.ALL);
    out.println();
    out.print(swarm.graph().text());
    return 0;
  }

  private static String progress(
      int submitted, int done, int failed, int stopped, List<Long> latencies, long elapsedNanos) {
    double seconds = Math.max(0.001, elapsedNanos / 1e9);
    return String.format(
        "progress: %d/%d done, %d failed, %d stopped, %.1f tasks/s, p95 %s",
        done, submitted, failed, stopped, done / seconds, percentile(latencies, 0.95));
  }

  private static String percentiles(List<Long> latencies) {
    return percentile(latencies, 0.5)
        + " / "
        + percentile(latencies, 0.95)
        + " / "
        + percentile(latencies, 1.0);
  }

  private static String percentile(List<Long> latencies, double p) {
    if (latencies.isEmpty()) {
      return "-";
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1));
    return sorted.get(index) + " ms";
  }

  private static String where(SwarmConfig config) {
    return switch (config.transport()) {
      case "nats" -> "NATS at " + Redaction.redact(config.natsUrl());
      case "kafka" -> "Kafka at " + config.bootstrapServers();
      default -> "the embedded Kafka broker";
    };
  }

  private static String message(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    return Redaction.describe(cause);
  }
}
