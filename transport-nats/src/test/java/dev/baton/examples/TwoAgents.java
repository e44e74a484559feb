/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.propagation.Baton;
import dev.baton.testing.ExampleTraces;
import dev.baton.transport.Message;
import dev.baton.transport.Transport;
import dev.baton.transport.nats.NatsBaton;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two agents over NATS, the README's example: a writer asks a reviewer for a verdict; the reviewer
 * tells an archivist. One trace covers every hop, and the writer's baggage reaches the archivist.
 * Run it with the command in the README (it uses {@code NATS_URL}, default {@code
 * nats://127.0.0.1:4222}).
 */
public final class TwoAgents {

  private TwoAgents() {}

  public static void main(String[] args) throws Exception {
    String url = System.getenv().getOrDefault("NATS_URL", "nats://127.0.0.1:4222");
    try (ExampleTraces traces = new ExampleTraces();
        Connection connection = Nats.connect(url)) {
      System.out.println("archivist received: " + run(connection, traces.openTelemetry()));
      traces.print(System.out);
    }
  }

  /** Runs the example on {@code connection}; returns what the archivist received. */
  public static String run(Connection connection, OpenTelemetry otel) throws Exception {
    CompletableFuture<String> archived = new CompletableFuture<>();
    // spotless:off
    // README example: start
    Baton writer = Baton.builder(otel).setAgentName("writer").build();
    Baton reviewer = Baton.builder(otel).setAgentName("reviewer").build();
    try (Transport writerBus = NatsBaton.create(writer, connection);
        Transport reviewerBus = NatsBaton.create(reviewer, connection)) {
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
    // README example: end
    // spotless:on
  }
}
