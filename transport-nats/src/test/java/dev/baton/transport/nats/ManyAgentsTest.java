/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.HeartbeatPublisher;
import dev.baton.health.Heartbeats;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many agents in one process (issue 27): one {@code NatsBaton} per agent on one connection, each
 * with a subscription, its backlog probe, its connection watch and its heartbeats. Past the first
 * agent, each adds only jnats' own dispatcher for its subscription: Baton's periodic work runs on
 * threads the agents share.
 */
class ManyAgentsTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final int AGENTS = 30;

  @Test
  void eachAgentPastTheFirstAddsOnlyItsSubscriptionsDispatcher() throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    try (Connection connection = Nats.connect(NATS.url())) {
      agent(connection, 0, open);
      // The shared pools start a second thread for the second task of a kind: let every kind
      // reach its size before counting.
      agent(connection, 1, open);
      Set<String> before = batonThreads();
      int threadsBefore = Thread.activeCount();
      for (int i = 2; i < AGENTS; i++) {
        agent(connection, i, open);
      }
      int added = AGENTS - 2;
      // jnats starts one dispatcher thread per subscription; nothing else may grow with agents,
      // also while their probes and heartbeats run (200 ms intervals: five rounds of each).
      Await.during(
          "at most one thread per added agent, for a second of probes and heartbeats",
          Duration.ofSeconds(1),
          () -> Thread.activeCount() - threadsBefore <= added + 2);
      assertThat(batonThreads()).isEqualTo(before);
      for (String kind :
          List.of("baton-nats-backlog-", "baton-nats-connection-watch-", "baton-heartbeat-")) {
        assertThat(before)
            .as("Baton's periodic work runs on shared threads named for it")
            .anyMatch(name -> name.startsWith(kind));
      }
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    }
  }

  private static void agent(Connection connection, int i, List<AutoCloseable> open) {
    NatsBaton baton =
        NatsBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry()).setAgentName("agent-" + i).build(),
                connection)
            .setBacklogInterval(Duration.ofMillis(200))
            .build();
    open.add(baton);
    baton.subscriber().subscribe("many." + i, m -> {});
    HeartbeatPublisher heartbeats = Heartbeats.publish(baton, Duration.ofMillis(200));
    open.add(heartbeats);
  }

  /** The names of Baton's own threads alive now. */
  private static Set<String> batonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("baton-"))
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
