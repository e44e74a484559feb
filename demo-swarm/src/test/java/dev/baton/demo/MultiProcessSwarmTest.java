/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.NatsServer;
import dev.baton.testing.Await;
import dev.baton.testing.DocBlock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swarm split across seven JVMs on one broker and one PostgreSQL: a coordinator, a researcher,
 * two coders, two reviewers and a summarizer, each started with {@code --role}. One reviewer is
 * killed with -9 while tasks are in flight. Every task is done exactly once, each task's trace is
 * one trace across the processes (printed whole by the coordinator that submitted it), and both
 * coders took work.
 */
@Timeout(300)
@Tag("scenario")
class MultiProcessSwarmTest {

  private static final int TASKS = 24;
  private static final Pattern TITLE =
      // task-3-a-4f2c1e done in 812 ms; conversation: 4 hops, ...  trace 0af7...
      Pattern.compile(
          "^(task-\\S+) (done|failed|stopped)(?: \\([^)]*\\))? in (\\d+) ms"
              + "(?:; conversation.*?)?  trace ([0-9a-f]{32})$");

  @TempDir Path dir;

  @Test
  void onNatsSevenProcessesShareTheWorkAndAKilledReviewerLosesNothing() throws Exception {
    try (NatsServer server = NatsServer.start()) {
      run(List.of("--transport", "nats", "--nats-url", server.url()), true);
    }
  }

  @Test
  void onKafkaSevenProcessesShareTheWorkAndAKilledReviewerLosesNothing() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      run(List.of("--transport", "kafka", "--bootstrap-servers", broker.bootstrapServers()), false);
    }
  }

  /** The first try: a second all-in-one process on the same broker (and store). */
  @Test
  void onNatsASecondAllInOneProcessOnlyAddsThroughput() throws Exception {
    try (NatsServer server = NatsServer.start()) {
      twoAllInOne(List.of("--transport", "nats", "--nats-url", server.url()));
    }
  }

  @Test
  void onKafkaASecondAllInOneProcessOnlyAddsThroughput() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      twoAllInOne(
          List.of("--transport", "kafka", "--bootstrap-servers", broker.bootstrapServers()));
    }
  }

  private void twoAllInOne(List<String> broker) throws Exception {
    String jdbc = createSchema();
    List<SwarmProcess> processes = new ArrayList<>();
    try {
      for (String instance : List.of("one", "two")) {
        List<String> args = new ArrayList<>(broker);
        args.addAll(
            List.of(
                "--instance",
                instance,
                "--jdbc-url",
                jdbc,
                "--port",
                "0",
                "--tasks",
                "12",
                "--rate",
                "2"));
        processes.add(SwarmProcess.start(dir, "swarm-" + instance, args));
      }
      Map<String, Row> rows = new HashMap<>();
      for (SwarmProcess process : processes) {
        assertThat(process.awaitExit(Duration.ofSeconds(180))).as(process.tail(80)).isZero();
        String output = process.output();
        assertThat(output)
            .contains(String.format("  %-22s %d%n", "tasks done", 12))
            .contains(String.format("  %-22s %d%n", "tasks failed", 0));
        Map<String, Tree> trees = trees(output);
        assertThat(trees).as(process.tail(80)).hasSize(12);
        rows = rows(jdbc);
        for (Map.Entry<String, Tree> entry : trees.entrySet()) {
          Tree tree = entry.getValue();
          assertThat(rows.get(entry.getKey()).status()).isEqualTo("done");
          assertThat(tree.traceId()).isEqualTo(rows.get(entry.getKey()).traceId());
          assertThat(tree.roles())
              .as(tree.text())
              .containsExactlyInAnyOrder(
                  "coordinator", "researcher", "coder", "reviewer", "summarizer");
          assertThat(tree.orphans()).as(tree.text()).isZero();
          assertThat(tree.trueRoots()).as(tree.text()).hasSize(1);
        }
      }
      assertThat(rows).as("both processes' tasks, each once").hasSize(24);
    } finally {
      for (SwarmProcess process : processes) {
        process.close();
      }
      dropSchema(jdbc);
    }
  }

  private static final String ADMIN = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** A schema of this test's own in the machine's PostgreSQL; its JDBC URL. */
  private static String createSchema() throws Exception {
    String schema = "baton_mp_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    try (Connection c = DriverManager.getConnection(ADMIN);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return ADMIN + "&currentSchema=" + schema;
  }

  private static void dropSchema(String jdbc) throws Exception {
    String schema = jdbc.substring(jdbc.indexOf("currentSchema=") + "currentSchema=".length());
    try (Connection c = DriverManager.getConnection(ADMIN);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  /**
   * Six replicas and a coordinator; a reviewer replica killed mid-run. {@code nats}: the broker
   * spreads a task's two halves (research, code) over the reviewer replicas, so the fan-in must
   * meet in the store: the kill waits until a task whose halves two reviewer processes handled is
   * done. On Kafka the task's key keeps its halves on one partition, so one reviewer handles both.
   */
  private void run(List<String> broker, boolean nats) throws Exception {
    String jdbc = createSchema();
    Map<String, SwarmProcess> processes = new LinkedHashMap<>();
    try {
      for (String[] replica :
          new String[][] {
            {"researcher", "a"},
            {"coder", "a"},
            {"coder", "b"},
            {"reviewer", "a"},
            {"reviewer", "b"},
            {"summarizer", "a"}
          }) {
        String name = replica[0] + "-" + replica[1];
        processes.put(name, SwarmProcess.start(dir, name, role(broker, jdbc, replica)));
      }
      for (SwarmProcess process : processes.values()) {
        Await.until(
            process.name + " serving",
            Duration.ofSeconds(120),
            () -> {
              assertThat(process.alive()).as(process.tail(40)).isTrue();
              return process.output().contains("Serving until stopped");
            });
      }
      List<String> coordinatorArgs =
          new ArrayList<>(role(broker, jdbc, new String[] {"coordinator", "a"}));
      coordinatorArgs.addAll(List.of("--tasks", Integer.toString(TASKS), "--rate", "2"));
      SwarmProcess coordinator = SwarmProcess.start(dir, "coordinator-a", coordinatorArgs);
      processes.put("coordinator-a", coordinator);

      // Mid-run: a reviewer replica dies without a word to the broker or the store.
      Await.until(
          nats
              ? "3 tasks done before the kill, one of them reviewed by both replicas"
              : "3 tasks done before the kill",
          Duration.ofSeconds(120),
          () -> {
            assertThat(coordinator.alive()).as(coordinator.tail(60)).isTrue();
            String sofar = coordinator.output();
            return titles(sofar).size() >= 3
                && (!nats || trees(sofar).values().stream().anyMatch(Tree::reviewedByBoth));
          });
      Instant killedAt = Instant.now();
      processes.get("reviewer-b").kill();

      int exit = coordinator.awaitExit(Duration.ofSeconds(180));
      String output = coordinator.output();
      assertThat(exit).as(coordinator.tail(80)).isZero();
      assertThat(output)
          .contains(String.format("  %-22s %d%n", "tasks done", TASKS))
          .contains(String.format("  %-22s %d%n", "tasks failed", 0));

      if (nats) { // docs/demo.md shows a NATS run whose instances were process ids, not letters
        DocBlock.of(Path.of("../docs/demo.md"), "coordinator-output")
            .isShapedLike(
                output
                    .replaceAll(
                        "\\b(coordinator|researcher|coder|reviewer|summarizer)-[ab]\\b", "$1-1")
                    .replaceAll("\\b(task-\\d+)-[ab]-", "$1-1-"));
      }
      if (Boolean.getBoolean("baton.multiProcess.print")) {
        System.out.println(output);
        processes.values().forEach(p -> System.out.println(p.tail(15)));
      }
      Map<String, Tree> trees = trees(output);
      assertThat(trees).as("each task's tree printed once").hasSize(TASKS);
      assertThat(titles(output)).as("no task reported twice").hasSize(TASKS);
      Map<String, Row> rows = rows(jdbc);
      assertThat(rows.keySet())
          .as("every task in the shared store, once")
          .isEqualTo(trees.keySet());
      Set<String> coders = new HashSet<>();
      int whole = 0;
      for (Map.Entry<String, Tree> entry : trees.entrySet()) {
        Tree tree = entry.getValue();
        Row row = rows.get(entry.getKey());
        assertThat(row.status()).isEqualTo("done");
        assertThat(tree.traceId())
            .as("the store's trace is the printed one")
            .isEqualTo(row.traceId());
        assertThat(tree.trueRoots())
            .as("one trace, started by the coordinator's hand-off\n" + tree.text())
            .containsExactly("coordinator-a send agents.tasks.submit");
        // A task done shortly before the kill may have spans still queued in the killed process
        // (as with any exporter's batch): those within 2 s of it are not asked to be whole.
        boolean touchedByKill =
            row.submittedAt().isBefore(killedAt)
                && (row.finishedAt() == null || row.finishedAt().isAfter(killedAt.minusSeconds(2)));
        if (!touchedByKill) {
          // Not touched by the kill: whole, every role in it, every span's parent present.
          assertThat(tree.roles())
              .as(tree.text())
              .containsExactlyInAnyOrder(
                  "coordinator", "researcher", "coder", "reviewer", "summarizer");
          assertThat(tree.orphans()).as(tree.text()).isZero();
          if (!nats) {
            assertThat(tree.agents().stream().filter(a -> a.startsWith("reviewer-")))
                .as("on Kafka the task's key takes both halves to one reviewer\n" + tree.text())
                .hasSize(1);
          }
          whole++;
        }
        tree.agents().stream().filter(a -> a.startsWith("coder-")).forEach(coders::add);
      }
      // Every task submitted after the kill is among them: the whole-tree check is never vacuous.
      assertThat(whole).as("tasks not touched by the kill").isPositive();
      assertThat(coders)
          .as("both coder replicas took work")
          .containsExactlyInAnyOrder("coder-a", "coder-b");

      for (SwarmProcess process : processes.values()) {
        if (process.alive()) {
          assertThat(process.stop(Duration.ofSeconds(30)))
              .as("stopped cleanly by SIGTERM: " + process.tail(30))
              .isEqualTo(143);
          assertThat(process.output()).contains("messages handled");
        }
      }
    } finally {
      for (SwarmProcess process : processes.values()) {
        process.close();
      }
      dropSchema(jdbc);
    }
  }

  private static List<String> role(List<String> broker, String jdbc, String[] replica) {
    List<String> args = new ArrayList<>(broker);
    args.addAll(
        List.of("--role", replica[0], "--instance", replica[1], "--jdbc-url", jdbc, "--port", "0"));
    return args;
  }

  /** A task's row; {@code finishedAt} is null while it runs (another process's task, say). */
  private record Row(
      String traceId, String status, Instant submittedAt, @Nullable Instant finishedAt) {}

  private static Map<String, Row> rows(String jdbc) throws Exception {
    Map<String, Row> rows = new HashMap<>();
    try (Connection c = DriverManager.getConnection(jdbc);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT id, trace_id, status, submitted_at, finished_at FROM baton_tasks")) {
      while (r.next()) {
        rows.put(
            r.getString(1),
            new Row(
                r.getString(2),
                r.getString(3),
                r.getTimestamp(4).toInstant(),
                r.getTimestamp(5) == null ? null : r.getTimestamp(5).toInstant()));
      }
    }
    return rows;
  }

  private static List<String> titles(String output) {
    return output.lines().filter(l -> TITLE.matcher(l).matches()).toList();
  }

  /** One printed trace: its title's trace id and its indented lines. */
  private record Tree(String traceId, List<String> lines) {

    String text() {
      return String.join("\n", lines);
    }

    /** The top lines that have no parent at all (not "..."): agent and span name. */
    List<String> trueRoots() {
      return lines.stream()
          .filter(l -> l.matches("^  [^ ].*") && !l.startsWith("  ... "))
          .map(l -> l.trim().replaceAll("\\s+", " ").replaceAll(" \\d+ ms.*$", ""))
          .toList();
    }

    /** Top lines whose parent never arrived. */
    long orphans() {
      return lines.stream().filter(l -> l.startsWith("  ... ")).count();
    }

    Set<String> agents() {
      return lines.stream()
          .map(l -> l.trim().replaceFirst("^\\.\\.\\. ", "").split("\\s+")[0])
          .collect(Collectors.toSet());
    }

    /** Whether both reviewer replicas handled a part of this task (the fan-in met in the store). */
    boolean reviewedByBoth() {
      Set<String> agents = agents();
      return agents.contains("reviewer-a") && agents.contains("reviewer-b");
    }

    Set<String> roles() {
      return agents().stream()
          .map(a -> a.substring(0, a.lastIndexOf('-')))
          .collect(Collectors.toSet());
    }
  }

  private static Map<String, Tree> trees(String output) {
    Map<String, Tree> trees = new LinkedHashMap<>();
    Tree current = null;
    for (String line : output.lines().toList()) {
      Matcher title = TITLE.matcher(line);
      if (title.matches()) {
        current = new Tree(title.group(4), new ArrayList<>());
        trees.put(title.group(1), current);
      } else if (current != null
          && line.startsWith("  ")
          && line.trim().matches(".* \\d+ ms( +ERROR)?$")) {
        current.lines().add(line);
      } else {
        current = null;
      }
    }
    return trees;
  }
}
