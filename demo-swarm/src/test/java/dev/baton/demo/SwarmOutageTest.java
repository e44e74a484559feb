/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.NatsServer;
import dev.baton.testing.Await;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The swarm through a broker outage: 2 tasks/s for 12 s, the broker killed (-9) at 3 s and
 * restarted on the same ports and data 5 s later. No task is lost, none is done twice, and tasks
 * complete again within 5 s of the restart.
 */
@Timeout(240)
@Tag("scenario")
class SwarmOutageTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final Duration KILL_AT = Duration.ofSeconds(3);
  private static final Duration OUTAGE = Duration.ofSeconds(5);
  private static final Duration RUN = Duration.ofSeconds(12);

  /** A step on the broker under test: kill it, restart it. */
  @FunctionalInterface
  private interface BrokerStep {
    void run() throws Exception;
  }

  @Test
  void onNatsNoTaskIsLostAndWorkResumesWithinFiveSeconds() throws Exception {
    try (NatsServer server = NatsServer.start()) {
      SwarmConfig config = config("--transport", "nats", "--nats-url", server.url());
      runThroughOutage(config, server::kill, server::restart);
    }
  }

  @Test
  void onKafkaNoTaskIsLostAndWorkResumesWithinFiveSeconds() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      SwarmConfig config =
          config("--transport", "kafka", "--bootstrap-servers", broker.bootstrapServers());
      runThroughOutage(config, broker::kill, broker::restart);
    }
  }

  /** The broker's options, 2 tasks/s, 10 % injected failures, any free port. */
  private static SwarmConfig config(String... broker) {
    List<String> args = new ArrayList<>(List.of(broker));
    args.addAll(List.of("--port", "0", "--failure-rate", "0.1", "--rate", "2"));
    return SwarmConfig.parse(args, null);
  }

  private static void runThroughOutage(SwarmConfig config, BrokerStep kill, BrokerStep restart)
      throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (Swarm swarm = Swarm.start(config, spans, QUIET)) {
      List<CompletableFuture<Coordinator.Outcome>> tasks = new CopyOnWriteArrayList<>();
      ConcurrentLinkedQueue<Long> doneAt = new ConcurrentLinkedQueue<>();
      long start = System.nanoTime();
      long gap = TimeUnit.MILLISECONDS.toNanos(500);
      boolean killed = false;
      long restartedAt = 0;
      Thread progress =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Thread.sleep(1000);
                    log(
                        ms(System.nanoTime() - start)
                            + ": "
                            + doneAt.size()
                            + " of "
                            + tasks.size()
                            + " finished");
                  }
                } catch (InterruptedException e) {
                  // stop
                }
              });
      progress.setDaemon(true);
      progress.start();
      for (int i = 0; System.nanoTime() - start < RUN.toNanos(); i++) {
        long due = start + i * gap;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        long elapsed = System.nanoTime() - start;
        if (!killed && elapsed >= KILL_AT.toNanos()) {
          kill.run();
          killed = true;
          log("killed at " + ms(elapsed));
        }
        if (restartedAt == 0 && elapsed >= KILL_AT.plus(OUTAGE).toNanos()) {
          restart.run();
          restartedAt = System.nanoTime();
          log("restarted at " + ms(restartedAt - start));
        }
        CompletableFuture<Coordinator.Outcome> task = swarm.submit("task " + i);
        task.thenRun(() -> doneAt.add(System.nanoTime()));
        tasks.add(task);
      }
      int submitted = tasks.size();
      Await.until(
          "every task finished (done or failed)",
          Duration.ofSeconds(150),
          () -> doneAt.size() == submitted);
      progress.interrupt();
      List<Coordinator.Outcome> outcomes = new ArrayList<>();
      for (CompletableFuture<Coordinator.Outcome> task : tasks) {
        outcomes.add(task.get(120, TimeUnit.SECONDS));
      }
      Map<String, Long> byStatus =
          outcomes.stream()
              .collect(Collectors.groupingBy(Coordinator.Outcome::status, Collectors.counting()));
      log("outcomes " + byStatus);
      long restarted = restartedAt;
      long firstDoneAfterRestart =
          doneAt.stream().filter(t -> t > restarted).min(Long::compare).orElseThrow();
      log("first task done " + ms(firstDoneAfterRestart - restartedAt) + " after the restart");
      assertThat(byStatus).containsOnlyKeys("done");
      Set<String> ids =
          outcomes.stream().map(Coordinator.Outcome::taskId).collect(Collectors.toSet());
      // The store may hold other runs' tasks (one in-memory H2 per JVM): this run's only.
      Map<String, Long> rows =
          swarm.store().all().stream()
              .filter(r -> ids.contains(r.id()))
              .collect(Collectors.groupingBy(r -> r.status(), Collectors.counting()));
      assertThat(rows).isEqualTo(Map.of("done", (long) tasks.size()));
      assertThat(outcomes.stream().map(Coordinator.Outcome::taskId).distinct())
          .hasSize(tasks.size());
      assertThat(Duration.ofNanos(firstDoneAfterRestart - restartedAt))
          .as("from the broker's restart until the next task is done")
          .isLessThan(Duration.ofSeconds(5));
      log("reconnects " + swarm.reconnects() + ", redeliveries " + swarm.redeliveries());
      assertThat(swarm.reconnects()).as("reconnects in the summary").isGreaterThanOrEqualTo(1);
      assertThat(swarm.redeliveries())
          .as(
              "redeliveries in the summary (injected failures at 10 %% of %d hand-offs)",
              5 * submitted)
          .isPositive();
    }
  }

  private static String ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
  }

  private static void log(String line) {
    System.out.println("[outage] " + line);
  }
}
