/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.ReadmeSnippets;
import dev.baton.testing.SpanTree;
import dev.baton.transport.nats.NatsBaton;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The "Testing your agents" example of docs/testing-kit.md: an agent's hand-off tested with the
 * kit.
 */
class HandOffTest {

  // README example: start
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  @Test
  void thePlannerHandsTheTaskToTheResearcherInOneTrace() throws Exception {
    Baton plannerAgent = Baton.builder(OTEL.getOpenTelemetry()).setAgentName("planner").build();
    Baton researcherAgent =
        Baton.builder(OTEL.getOpenTelemetry()).setAgentName("researcher").build();
    List<String> tasks = new CopyOnWriteArrayList<>();
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton planner = NatsBaton.create(plannerAgent, connection);
        NatsBaton researcher = NatsBaton.create(researcherAgent, connection)) {
      researcher
          .subscriber()
          .subscribe("tasks.research", task -> tasks.add(task.payloadAsString()));
      connection.flush(Duration.ofSeconds(5)); // the subscription is registered

      planner.publisher().publish("tasks.research", "compare brokers".getBytes(UTF_8));

      Await.until("the researcher has the task", () -> tasks.size() == 1);
    }
    SpanTree.of(Await.size("hand-off spans", 2, OTEL::getSpans))
        .isExactly(
            """
            PRODUCER send tasks.research [planner]
              CONSUMER process tasks.research [researcher] links: parent
            """);
  }

  // README example: end

  @Test
  void theReadmeShowsThisTestAsItIsCompiled() throws Exception {
    ReadmeSnippets.assertReadmeShows(
        Path.of("../docs/testing-kit.md"),
        Path.of("src/test/java/dev/baton/examples/HandOffTest.java"));
  }
}
