/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.lag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.Await;
import dev.baton.testing.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * baton-lag on a real Kafka broker: with every member of the group gone, the lag it serves grows by
 * exactly what was produced and the status says STOPPED; once a consumer drains the topic and
 * commits, lag is 0 and the status OK again.
 */
class BatonLagKafkaTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();

  private static final String LAG = "baton_consumer_lag_messages";
  private static final String STATUS = "baton_consumer_status";
  private static final Duration WAIT = Duration.ofSeconds(45);

  @Test
  void lagGrowsByExactlyWhatWasProducedWhileTheGroupIsEmptyAndDrainsBackToZero() throws Exception {
    String topic = "orders-" + UUID.randomUUID();
    String group = "workers-" + UUID.randomUUID();
    KAFKA.createTopic(topic, 2);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      KafkaConsumer<String, String> member = consumer(group);
      member.subscribe(List.of(topic));
      produce(producer, topic, 3);
      drain(member, 3);

      try (BatonLag lag =
          BatonLag.start(
              LagConfig.parse(
                  List.of(
                      "--kafka",
                      KAFKA.bootstrapServers(),
                      "--group",
                      "workers-.*",
                      "--interval",
                      "200ms",
                      "--port",
                      "0")))) {
        LagEndpoint endpoint = new LagEndpoint(lag);
        Await.until(
            "caught up with a member: lag 0, status OK",
            WAIT,
            () -> endpoint.is(LAG, group, 0) && endpoint.is(STATUS, group, 0));

        member.close(Duration.ofSeconds(5));
        Await.until("no member: STOPPED", WAIT, () -> endpoint.is(STATUS, group, 3));
        produce(producer, topic, 7);

        Await.until("lag 7", WAIT, () -> endpoint.is(LAG, group, 7));
        assertThat(endpoint.value("baton_consumer_lag_time_seconds", group).orElseThrow())
            .isGreaterThan(0);
        assertThat(endpoint.value(STATUS, group).orElseThrow()).isEqualTo(3);
        assertThat(endpoint.scrape()).contains("messaging_destination_name=\"" + topic + "\"");
        assertThat(endpoint.get("/health").statusCode()).isEqualTo(200);
        Await.until(
            "the stopped check names the group",
            WAIT,
            () ->
                endpoint.get("/health").body().contains("no consumer running, 7 messages waiting"));
        assertThat(endpoint.get("/health").body()).contains("kafka-lag-reads");

        try (KafkaConsumer<String, String> again = consumer(group)) {
          again.subscribe(List.of(topic));
          drain(again, 7);
          Await.until(
              "drained: lag 0, status OK",
              WAIT,
              () -> endpoint.is(LAG, group, 0) && endpoint.is(STATUS, group, 0));
        }
      }
    }
  }

  private static KafkaConsumer<String, String> consumer(String group) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers",
            KAFKA.bootstrapServers(),
            "group.id",
            group,
            "auto.offset.reset",
            "earliest",
            "enable.auto.commit",
            "false"),
        new StringDeserializer(),
        new StringDeserializer());
  }

  private static void produce(KafkaProducer<String, String> producer, String topic, int count)
      throws Exception {
    for (int i = 0; i < count; i++) {
      producer.send(new ProducerRecord<>(topic, "k" + i, "order " + i)).get(30, TimeUnit.SECONDS);
    }
  }

  /** Polls until {@code count} records came, committing as it goes. */
  private static void drain(KafkaConsumer<String, String> consumer, int count) {
    int[] got = {0};
    Await.until(
        count + " consumed and committed",
        WAIT,
        () -> {
          got[0] += consumer.poll(Duration.ofMillis(200)).count();
          consumer.commitSync();
          return got[0] >= count;
        });
    assertThat(got[0]).isEqualTo(count);
  }
}
