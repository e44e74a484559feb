/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.DocBlock;
import dev.baton.testing.NatsServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The command line: help, bad options, a clear message when the swarm cannot start, and the summary
 * of a run.
 */
class SwarmMainTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return SwarmMain.run(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpReadsWell() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Usage: baton-demo-swarm")
        .contains("--transport nats|kafka")
        .contains("agents.tasks.submit");
    DocBlock.of(Path.of("../docs/demo.md"), "usage")
        .isExactly(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aBadOptionSaysWhatIsWrong() {
    assertThat(run("--tasks", "zero")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tasks must be a whole number");
    assertThat(run("--transport", "carrier-pigeon")).isEqualTo(2);
    assertThat(run("--bogus")).isEqualTo(2);
    assertThat(run("--budget", "tokens=lots")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--budget takes limits like tokens=20000,cost=0.01,hops=12,time=60s");
    assertThat(run("--budget", "hops=0")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("maxHops must be at least 1");
    assertThat(SwarmConfig.parse(List.of("--budget", "cost=0.01, time=30s"), null))
        .satisfies(
            c ->
                assertThat(c.conversationBudget().toString())
                    .isEqualTo(
                        "ConversationBudget[tokens=none, cost=0.01, hops=none, time=PT30S]"));
    assertThat(run("--role", "coder", "--transport", "nats", "--loop")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--loop is the coordinator's: give it to the process that runs the coordinator");
  }

  @Test
  void anUnreachableBrokerStopsWithAClearMessage() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    assertThat(
            run(
                "--transport",
                "nats",
                "--nats-url",
                "nats://u:pw-secret@127.0.0.1:" + closedPort,
                "--port",
                "0"))
        .isEqualTo(3);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("could not start on NATS at nats://***@127.0.0.1:" + closedPort)
        .doesNotContain("pw-secret");
  }

  @Test
  void aTakenPortStopsWithAClearMessage() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      assertThat(
              run(
                  "--transport",
                  "nats",
                  "--nats-url",
                  NATS.url(),
                  "--port",
                  Integer.toString(taken.getLocalPort())))
          .isEqualTo(3);

      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("port " + taken.getLocalPort() + " is taken; choose another with --port");
    }
  }

  @Test
  void aRunEndsWithASummaryOfTasksReconnectsAndRedeliveries() {
    assertThat(
            run(
                "--transport",
                "nats",
                "--nats-url",
                NATS.url(),
                "--port",
                "0",
                "--tasks",
                "3",
                "--rate",
                "5",
                "--failure-rate",
                "0"))
        .isZero();

    assertThat(out.toString(StandardCharsets.UTF_8))
        .containsPattern("tasks submitted +3\\n")
        .containsPattern("tasks done +3\\n")
        .containsPattern("tasks failed +0\\n")
        .containsPattern("broker reconnects +0\\n")
        .containsPattern("redeliveries +0\\n")
        .contains("Per agent")
        // Every agent handled messages, its CPU time and allocations are measured, the LLM's
        // tokens and cost are counted, and queue and handler times have percentiles.
        .containsPattern(
            "\\n  coder +[1-9]\\d* +\\d+\\.\\d\\d s +\\d+\\.\\d MB +[1-9]\\d* +\\$0\\.\\d{4} +\\d+ ms / \\d+ ms +\\d+ ms / \\d+ ms\\n")
        .containsPattern("\\n  coordinator +[1-9]");
  }

  @Test
  void aRoleNeedsASharedBrokerAndTheStatefulRolesASharedStore() {
    assertThat(run("--role", "coder")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--role coder works with agents in other processes")
        .contains("--transport nats|kafka");

    assertThat(run("--role", "reviewer", "--transport", "nats")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--role reviewer keeps its tasks in a store every replica must see")
        .contains("--jdbc-url");

    assertThat(run("--role", "pilot", "--transport", "nats")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--role must be all or one of");
    assertThat(run("--tasks", "0")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tasks 0 needs --role coordinator");
  }

  @Test
  void aWorkerRoleServesUntilItsDurationAndSaysWhatItHandled() {
    assertThat(
            run(
                "--role",
                "reviewer",
                "--instance",
                "4533",
                "--transport",
                "nats",
                "--nats-url",
                NATS.url(),
                "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
                "--duration",
                "1s"))
        .isZero();

    DocBlock.of(Path.of("../docs/demo.md"), "worker-output")
        .isShapedLike(out.toString(StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Agents: reviewer-4533\n")
        .contains("Serving for 1 s.")
        .containsPattern("messages handled +0\n")
        .contains("Health details: every detail, to anyone on this machine")
        .doesNotContain("Outside callers");
  }

  @Test
  void healthDetailsGoToEveryoneOnLoopbackOnlyAndElsewhereOnlyWithTheToken() {
    String token = "0123456789abcdef0123";
    assertThat(Swarm.showDetails("127.0.0.1", null)).hasToString("always");
    assertThat(Swarm.showDetails("localhost", token)).hasToString("always");
    assertThat(Swarm.showDetails("0.0.0.0", null)).hasToString("never");
    assertThat(Swarm.showDetails("0.0.0.0", " ")).hasToString("never");
    assertThat(Swarm.showDetails("0.0.0.0", token).toString())
        .startsWith("when-authorized")
        .doesNotContain(token);
    assertThat(Swarm.describeDetails("0.0.0.0", null)).contains("status only");
    assertThat(run("--listen", "0.0.0.0; rm -rf /")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--listen must be a host name");
  }

  @Test
  void aSecondSwarmOnTheSameBrokerWithThePrivateStoreIsRefused() throws Exception {
    SwarmConfig first =
        SwarmConfig.parse(
            List.of("--transport", "nats", "--nats-url", NATS.url(), "--port", "0"), null);
    try (Swarm running =
        Swarm.start(first, null, new PrintStream(OutputStream.nullOutputStream()))) {
      assertThat(run("--transport", "nats", "--nats-url", NATS.url(), "--port", "0")).isEqualTo(3);

      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("another swarm process is running on this broker")
          .contains(running.agentIds().get(0))
          .contains("--jdbc-url jdbc:postgresql://");
    }
  }
}
