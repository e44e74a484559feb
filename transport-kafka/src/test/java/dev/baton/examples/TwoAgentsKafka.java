/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.launchers.KafkaBroker;
import dev.baton.propagation.Baton;
import dev.baton.testing.ExampleTraces;
import dev.baton.transport.Message;
import dev.baton.transport.Transport;
import dev.baton.transport.kafka.KafkaBaton;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The README's two agents over Kafka: the same agent code as {@code TwoAgents} (a test compares
 * them), with {@code KafkaBaton.create} in place of {@code NatsBaton.create}. Uses the broker at
 * {@code KAFKA_BOOTSTRAP_SERVERS}, or starts a throwaway KRaft broker from the Maven Central jars
 * when that is unset.
 */
public final class TwoAgentsKafka {

  private TwoAgentsKafka() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
    KafkaBroker broker = null;
    if (bootstrap == null || bootstrap.isBlank()) {
      broker = KafkaBroker.start();
      bootstrap = broker.bootstrapServers();
      System.out.println("started a Kafka broker in " + broker.lastStartTime().toMillis() + " ms");
    }
    try (ExampleTraces traces = new ExampleTraces()) {
      System.out.println("archivist received: " + run(bootstrap, traces.openTelemetry()));
      traces.print(System.out);
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  /** Runs the example against {@code bootstrap}; returns what the archivist received. */
  public static String run(String bootstrap, OpenTelemetry otel) throws Exception {
    CompletableFuture<String> archived = new CompletableFuture<>();
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap);
    // spotless:off
    Baton writer = Baton.builder(otel).setAgentName("writer").build();
    Baton reviewer = Baton.builder(otel).setAgentName("reviewer").build();
    // README example: start
    try (Transport writerBus = KafkaBaton.create(writer, config);
        Transport reviewerBus = KafkaBaton.create(reviewer, config)) {
      // README example: end
      reviewerBus.subscriber().respond("drafts.review", "reviewers", draft -> {
        reviewerBus.publisher().publish("drafts.archive", draft.payload()); // same trace
        return ("LGTM: " + draft.payloadAsString()).getBytes(UTF_8);
      });
      writerBus.subscriber().subscribe("drafts.archive", "writers", msg -> archived.complete(
          msg.payloadAsString() + " for " + Baggage.current().getEntryValue("customer")));
      try (Scope s = Baggage.current().toBuilder().put("customer", "acme").build().makeCurrent()) {
        Message verdict = writerBus.publisher()
            .request("drafts.review", "chapter 1".getBytes(UTF_8), Duration.ofSeconds(30))
            .get(60, TimeUnit.SECONDS);
        System.out.println("writer got: " + verdict.payloadAsString() + " from " + verdict.sender());
      }
      return archived.get(60, TimeUnit.SECONDS);
    }
    // spotless:on
  }
}
