/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.lag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * baton-lag on a real nats-server: with the consumer's clients stopped, the lag it serves grows by
 * exactly what was published and the status says STOPPED; once a client drains the consumer, lag is
 * 0 and the status OK again.
 */
class BatonLagNatsTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final String LAG = "baton_consumer_lag_messages";
  private static final String STATUS = "baton_consumer_status";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void lagGrowsByExactlyWhatWasPublishedWhileNoClientRunsAndDrainsBackToZero() throws Exception {
    try (Connection nc = Nats.connect(NATS.url())) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      jsm.addStream(
          StreamConfiguration.builder()
              .name("ORDERS")
              .subjects("orders.>")
              .storageType(StorageType.Memory)
              .build());
      for (String durable : List.of("workers", "auditors")) {
        jsm.addOrUpdateConsumer(
            "ORDERS",
            ConsumerConfiguration.builder()
                .durable(durable)
                .filterSubject("orders.new")
                .ackPolicy(AckPolicy.Explicit)
                .build());
      }
      JetStream js = nc.jetStream();
      ConsumerContext workers = nc.getConsumerContext("ORDERS", "workers");
      AtomicInteger handled = new AtomicInteger();
      MessageConsumer running = consume(workers, handled);
      publish(js, 3);
      Await.until("3 handled", WAIT, () -> handled.get() == 3);

      try (BatonLag lag =
          BatonLag.start(
              LagConfig.parse(
                  List.of(
                      "--nats",
                      NATS.url(),
                      "--group",
                      "work.*",
                      "--interval",
                      "200ms",
                      "--port",
                      "0")))) {
        LagEndpoint endpoint = new LagEndpoint(lag);
        Await.until(
            "caught up and running: lag 0, status OK",
            WAIT,
            () -> endpoint.is(LAG, "workers", 0) && endpoint.is(STATUS, "workers", 0));

        running.stop();
        Await.until("no client: STOPPED", WAIT, () -> endpoint.is(STATUS, "workers", 3));
        publish(js, 7);

        Await.until("lag 7", WAIT, () -> endpoint.is(LAG, "workers", 7));
        String scrape = endpoint.scrape();
        assertThat(endpoint.value("baton_consumer_lag_time_seconds", "workers").orElseThrow())
            .isGreaterThan(0);
        assertThat(endpoint.value(STATUS, "workers").orElseThrow()).isEqualTo(3);
        assertThat(scrape)
            .contains("messaging_destination_name=\"orders.new\"")
            .doesNotContain("auditors");
        assertThat(endpoint.get("/health").statusCode()).isEqualTo(200);
        Await.until(
            "the stopped check names the group",
            WAIT,
            () ->
                endpoint.get("/health").body().contains("no consumer running, 7 messages waiting"));
        assertThat(endpoint.get("/health").body()).contains("nats-lag-reads");

        AtomicInteger drained = new AtomicInteger();
        MessageConsumer again = consume(workers, drained);
        try {
          Await.until(
              "drained: lag 0, status OK",
              WAIT,
              () -> endpoint.is(LAG, "workers", 0) && endpoint.is(STATUS, "workers", 0));
          assertThat(drained.get()).isEqualTo(7);
        } finally {
          again.stop();
        }
      }
    }
  }

  private static MessageConsumer consume(ConsumerContext consumer, AtomicInteger handled)
      throws Exception {
    return consumer.consume(
        ConsumeOptions.builder().expiresIn(1000).build(),
        m -> {
          m.ack();
          handled.incrementAndGet();
        });
  }

  private static void publish(JetStream js, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      js.publish("orders.new", ("order " + i).getBytes(StandardCharsets.UTF_8));
    }
  }
}
