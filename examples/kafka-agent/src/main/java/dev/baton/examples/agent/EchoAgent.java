/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples.agent;

import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;
import dev.baton.transport.kafka.KafkaBaton;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * An agent on Kafka with nothing but {@code baton-transport-kafka} on its class path: it answers
 * every request on {@code echo} with the request's payload, traced, until it is stopped.
 */
public final class EchoAgent {

  private EchoAgent() {}

  public static void main(String[] args) throws Exception {
    String servers = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    Baton baton = Baton.builder(GlobalOpenTelemetry.get()).setAgentName("echo").build();
    try (Transport bus = KafkaBaton.create(baton, Map.of("bootstrap.servers", servers))) {
      bus.subscriber().respond("echo", "echoes", request -> request.payload());
      new CountDownLatch(1).await();
    }
  }
}
