/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.Meters;
import dev.baton.testing.NatsServerExtension;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Backplane metrics over a real nats-server, read from the registry. */
class NatsMetricsTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Meters meters = new Meters(registry);
  private final BackplaneMetrics metrics = BackplaneMetrics.builder().build();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  NatsMetricsTest() {
    metrics.bindTo(registry);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Connection connect(Options.Builder options) throws Exception {
    Connection connection = Nats.connect(options.server(NATS.url()).build());
    toClose.add(connection);
    return connection;
  }

  private NatsBaton baton(Connection connection, String agent) {
    NatsBaton nats =
        NatsBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName(agent)
                    .addListener(metrics)
                    .build(),
                connection)
            .setBacklogInterval(Duration.ZERO)
            .build();
    toClose.add(nats);
    return nats;
  }

  @Test
  void aFailingCoreHandlerIsCountedAsAFailureOutcome() throws Exception {
    Connection connection = connect(Options.builder());
    NatsBaton nats = baton(connection, "counter");
    String subject = "count." + UUID.randomUUID();
    AtomicInteger handled = new AtomicInteger();
    nats.subscriber()
        .subscribe(
            subject,
            m -> {
              if (handled.incrementAndGet() % 5 == 0) {
                throw new IllegalStateException("every fifth fails");
              }
            });
    connection.flush(Duration.ofSeconds(5));

    for (int i = 0; i < 137; i++) {
      nats.publisher().publish(subject, new byte[] {1});
    }

    Await.until("all handled", () -> handled.get() == 137);
    Await.until(
        "all processed", () -> meters.counterOn("baton.processed.messages", subject) == 137);
    assertThat(meters.counterOn("messaging.client.sent.messages", subject)).isEqualTo(137);
    assertThat(meters.counterOn("messaging.client.consumed.messages", subject)).isEqualTo(137);
    assertThat(meters.counterOn("baton.processed.messages", subject, "outcome", "success"))
        .isEqualTo(110);
    assertThat(meters.counterOn("baton.processed.messages", subject, "outcome", "failure"))
        .isEqualTo(27);
  }

  @Test
  void queueDepthRisesWhileAHandlerBlocksAndFallsAfter() throws Exception {
    Connection connection = connect(Options.builder());
    NatsBaton nats = baton(connection, "slowpoke");
    String subject = "depth." + UUID.randomUUID();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    nats.subscriber()
        .subscribe(
            subject,
            m -> {
              release.await(20, TimeUnit.SECONDS);
              handled.incrementAndGet();
            });
    connection.flush(Duration.ofSeconds(5));
    for (int i = 0; i < 20; i++) {
      nats.publisher().publish(subject, new byte[] {1});
    }

    Await.until(
        "19 waiting",
        () -> {
          nats.probe();
          return meters.gaugeOn("baton.queue.depth", subject) == 19;
        });
    release.countDown();
    Await.until("all handled", () -> handled.get() == 20);
    nats.probe();

    assertThat(meters.gaugeOn("baton.queue.depth", subject)).isZero();
    assertThat(meters.gaugeOn("baton.queue.depth.bytes", subject)).isZero();
  }

  @Test
  void restartingTheServerIncrementsReconnectsByOne() throws Exception {
    Connection connection =
        connect(
            Options.builder()
                .reconnectWait(Duration.ofMillis(50))
                .reconnectJitter(Duration.ofMillis(1))
                .maxReconnects(-1));
    baton(connection, "survivor");
    assertThat(meters.gauge("baton.connection.up")).isEqualTo(1);

    NATS.kill();
    Await.until("down", () -> meters.gauge("baton.connection.up") == 0);
    NATS.restart();
    Await.until("up again", () -> meters.gauge("baton.connection.up") == 1);

    assertThat(meters.counter("baton.connection.events", "event", "reconnected")).isEqualTo(1);
    assertThat(meters.counter("baton.connection.events", "event", "disconnected"))
        .isGreaterThanOrEqualTo(1);
  }
}
