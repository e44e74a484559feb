/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.examples.kafka.OrdersApplication;
import dev.baton.testing.Await;
import dev.baton.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter in an application built as the README says with Kafka alone: this class runs in the
 * pom's {@code kafka-only} execution, whose class path has neither Baton's NATS transport nor
 * jnats.
 */
class KafkaOnlyStarterTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void withKafkaAloneTheExampleStartsAndHandsOrdersOnInTheCallersTrace() throws Exception {
    Actuator.assertAbsent("dev.baton.transport.nats.NatsBaton", "io.nats.client.Connection");
    KAFKA.createTopic("orders.new", 1);
    KAFKA.createTopic("billing.charge", 1);
    try (ConfigurableApplicationContext app =
            SpringApplication.run(
                OrdersApplication.class,
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--spring.kafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
                "--spring.application.name=orders",
                "--baton.heartbeat.interval=500ms",
                "--management.endpoint.health.probes.enabled=true",
                "--management.endpoint.health.show-details=always");
        KafkaConsumer<String, String> billing =
            new KafkaConsumer<>(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "billing",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(),
                new StringDeserializer());
        KafkaProducer<String, String> outside =
            new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
      Actuator actuator = new Actuator(app);
      Await.until(
          "every Baton indicator UP",
          Duration.ofSeconds(60),
          () ->
              actuator.code("/actuator/health") == 200
                  && actuator.status("batonAgents").equals("UP"));
      assertThat(actuator.status("batonKafka")).isEqualTo("UP");
      assertThat(actuator.status("batonBacklog")).isEqualTo("UP");
      assertThat(actuator.status("batonNats")).as("no NATS indicator").isEmpty();

      ProducerRecord<String, String> order = new ProducerRecord<>("orders.new", "order 9");
      order
          .headers()
          .add(
              "traceparent",
              ("00-" + TRACE + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
      outside.send(order).get(30, TimeUnit.SECONDS);

      billing.subscribe(List.of("billing.charge"));
      List<ConsumerRecord<String, String>> charged = new ArrayList<>();
      Await.until(
          "the order reached billing",
          Duration.ofSeconds(60),
          () -> {
            billing.poll(Duration.ofMillis(200)).forEach(charged::add);
            return !charged.isEmpty();
          });
      assertThat(charged.get(0).value()).isEqualTo("order 9");
      assertThat(
              new String(
                  charged.get(0).headers().lastHeader("traceparent").value(),
                  StandardCharsets.UTF_8))
          .as("in the caller's trace")
          .startsWith("00-" + TRACE + "-");
    }
  }
}
