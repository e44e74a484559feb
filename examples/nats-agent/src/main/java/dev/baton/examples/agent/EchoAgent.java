/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples.agent;

import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;
import dev.baton.transport.nats.NatsBaton;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.util.concurrent.CountDownLatch;

/**
 * An agent on NATS with nothing but {@code baton-transport-nats} on its class path: it answers
 * every request on {@code echo} with the request's payload, traced, until it is stopped.
 */
public final class EchoAgent {

  private EchoAgent() {}

  public static void main(String[] args) throws Exception {
    String url = System.getenv().getOrDefault("NATS_URL", "nats://127.0.0.1:4222");
    Baton baton = Baton.builder(GlobalOpenTelemetry.get()).setAgentName("echo").build();
    try (Connection connection = Nats.connect(url);
        Transport bus = NatsBaton.create(baton, connection)) {
      bus.subscriber().respond("echo", "echoes", request -> request.payload());
      new CountDownLatch(1).await();
    }
  }
}
