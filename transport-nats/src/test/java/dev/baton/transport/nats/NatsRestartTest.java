/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.transport.OutboundMessage;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A nats-server killed (-9) and restarted on the same port and store: a JetStream subscription
 * receives again within 5 s of the restart. (jnats alone would wait for three missed idle
 * heartbeats of its pull, 45 s with its defaults, because the restarted server forgot the pull
 * request.)
 */
class NatsRestartTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  @Test
  void aJetStreamSubscriptionReceivesWithinFiveSecondsOfTheServersRestart() throws Exception {
    Options options =
        Options.builder()
            .server(NATS.url())
            .reconnectWait(Duration.ofMillis(250))
            .maxReconnects(-1)
            .build();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (Connection connection = Nats.connect(options);
        NatsBaton nats =
            NatsBaton.create(
                Baton.builder(OTEL.getOpenTelemetry()).setAgentName("survivor").build(),
                connection)) {
      connection
          .jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("RESTART")
                  .subjects("restart.work")
                  .storageType(StorageType.File)
                  .build());
      nats.jetStreamSubscriber("RESTART")
          .subscribe("restart.work", "workers", m -> handled.add(m.payloadAsString()));
      nats.jetStreamPublisher()
          .publish(OutboundMessage.of("restart.work", "before"))
          .get(10, TimeUnit.SECONDS);
      Await.until("handled before the kill", () -> handled.contains("before"));

      NATS.kill();
      NATS.restart();
      long restarted = System.nanoTime();
      Await.until(
          "reconnected",
          Duration.ofSeconds(10),
          () -> connection.getStatus() == Connection.Status.CONNECTED);
      nats.jetStreamPublisher()
          .publish(OutboundMessage.of("restart.work", "after"))
          .get(10, TimeUnit.SECONDS);
      Await.until(
          "handled after the restart", Duration.ofSeconds(30), () -> handled.contains("after"));
      Duration resumed = Duration.ofNanos(System.nanoTime() - restarted);
      System.out.println(
          "[restart] delivery resumed " + resumed.toMillis() + " ms after the restart");
      assertThat(resumed).isLessThan(Duration.ofSeconds(5));
    }
  }
}
