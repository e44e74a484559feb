/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.examples.nats.OrdersApplication;
import dev.baton.launchers.NatsServer;
import dev.baton.testing.Await;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter in an application built as the README says with NATS alone: this class runs in the
 * pom's {@code nats-only} execution, whose class path has neither Baton's Kafka transport nor
 * kafka-clients nor Spring Boot's Kafka module. Its own nats-server is killed and restarted, and
 * Actuator follows.
 */
class NatsOnlyStarterTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void withNatsAloneTheExampleStartsHandsOrdersOnAndFollowsItsBrokerDownAndUp() throws Exception {
    Actuator.assertAbsent(
        "dev.baton.transport.kafka.KafkaBaton",
        "org.apache.kafka.clients.producer.KafkaProducer",
        "org.springframework.boot.kafka.autoconfigure.KafkaProperties");
    try (NatsServer nats = NatsServer.start();
        ConfigurableApplicationContext app =
            SpringApplication.run(
                OrdersApplication.class,
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--nats.url=" + nats.url(),
                "--spring.application.name=orders",
                "--baton.heartbeat.interval=500ms",
                "--baton.health.timeout=1s",
                "--management.endpoint.health.probes.enabled=true",
                "--management.endpoint.health.show-details=always")) {
      Actuator actuator = new Actuator(app);

      try (Connection outside = Nats.connect(nats.url())) {
        Subscription billing = outside.subscribe("billing.charge");
        outside.flush(Duration.ofSeconds(5));
        Headers headers = new Headers().put("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
        outside.publish("orders.new", headers, "order 7".getBytes(StandardCharsets.UTF_8));
        Message charged = billing.nextMessage(Duration.ofSeconds(10));
        assertThat(charged).as("the order reached billing").isNotNull();
        assertThat(new String(charged.getData(), StandardCharsets.UTF_8)).isEqualTo("order 7");
        assertThat(charged.getHeaders().getFirst("traceparent"))
            .as("in the caller's trace")
            .startsWith("00-" + TRACE + "-");
      }
      Await.until(
          "every Baton indicator UP",
          Duration.ofSeconds(30),
          () ->
              actuator.code("/actuator/health") == 200
                  && actuator.status("batonAgents").equals("UP"));
      assertThat(actuator.status("batonNats")).isEqualTo("UP");
      assertThat(actuator.status("batonKafka")).as("no Kafka indicator").isEmpty();

      nats.kill();
      Await.until(
          "readiness and health DOWN (503) while the broker is gone",
          Duration.ofSeconds(30),
          () ->
              actuator.code("/actuator/health/readiness") == 503
                  && actuator.code("/actuator/health") == 503);
      assertThat(actuator.status("batonNats")).isEqualTo("DOWN");
      assertThat(actuator.code("/actuator/health/liveness"))
          .as("a broker outage never fails liveness")
          .isEqualTo(200);

      nats.restart();
      Await.until(
          "UP again after the broker's restart",
          Duration.ofSeconds(60),
          () ->
              actuator.code("/actuator/health") == 200
                  && actuator.code("/actuator/health/readiness") == 200);
      assertThat(actuator.status("batonNats")).isEqualTo("UP");
    }
  }
}
