/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.RecordingListener;
import dev.baton.testing.SharedKafka;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent's handler that works longer than {@code max.poll.interval.ms} runs once: while it works,
 * the subscription keeps polling with its partitions paused, so the consumer stays in its group;
 * past the agent's maximum handler time the record goes to its failure policy, counted.
 */
class KafkaLongHandlerTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private KafkaBaton kafka(Consumer<Baton.Builder> agent, Consumer<KafkaBaton.Builder> config) {
    Baton.Builder baton =
        Baton.builder(OTEL.getOpenTelemetry()).setAgentName("thinker").addListener(listener);
    agent.accept(baton);
    KafkaBaton.Builder builder =
        KafkaBaton.builder(baton.build(), Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
            .setConsumerConfig(Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 5_000))
            .setPollTimeout(Duration.ofMillis(100))
            .setBacklogInterval(Duration.ZERO);
    config.accept(builder);
    KafkaBaton kafka = builder.build();
    toClose.add(kafka);
    return kafka;
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aHandlerLongerThanTheMaxPollIntervalRunsOnceAndIsCommittedOnce() throws Exception {
    String topic = unique("long");
    KafkaBaton kafka = kafka(b -> {}, b -> {});
    List<Integer> runs = new CopyOnWriteArrayList<>();
    Subscription subscription =
        kafka
            .subscriber()
            .subscribe(
                topic,
                "thinkers",
                m -> {
                  runs.add(m.deliveryCount());
                  Thread.sleep(8_000); // the agent's long step, past the 5 s poll interval
                });
    assertThat(((KafkaSubscription) subscription).awaitAssignment(Duration.ofSeconds(30))).isTrue();

    kafka.publisher().publish(OutboundMessage.of(topic, "think hard")).get(30, TimeUnit.SECONDS);

    Await.until("the handler finished", () -> listener.processed.size() == 1);
    Await.until("its offset committed", () -> committed(topic, "thinkers") == 1);
    // Without the paused polls the group drops the consumer at 5 s, the commit fails and the
    // record comes back to run again.
    Await.during("no second run", Duration.ofSeconds(3), () -> runs.size() == 1);
    assertThat(runs).containsExactly(1);
    assertThat(listener.processed)
        .extracting(TransportListener.Processed::outcome)
        .containsExactly(Outcome.ACK);
    assertThat(listener.failures).isEmpty();
  }

  @Test
  void pastTheMaximumHandlerTimeTheRecordIsDeadLetteredAtOnceAndCounted() throws Exception {
    String topic = unique("stuck");
    String dlq = topic + ".dlq";
    KafkaBaton kafka =
        kafka(
            b -> b.setMaxHandlerTime(Duration.ofSeconds(2)),
            b ->
                b.setFailurePolicy(
                    FailurePolicy.retry(0, Duration.ZERO, Duration.ZERO).thenDeadLetter(dlq)));
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    Subscription dlqReader = kafka.subscriber().subscribe(dlq, "dlq-readers", deadLetters::add);
    List<Integer> runs = new CopyOnWriteArrayList<>();
    List<Integer> deadLettersSeenByTheHandler = new CopyOnWriteArrayList<>();
    Subscription subscription =
        kafka
            .subscriber()
            .subscribe(
                topic,
                "thinkers",
                m -> {
                  runs.add(m.deliveryCount());
                  // Stuck past the 2 s the agent allows: the record is dead-lettered meanwhile.
                  Await.until("dead-lettered while running", () -> deadLetters.size() == 1);
                  deadLettersSeenByTheHandler.add(deadLetters.size());
                });
    assertThat(((KafkaSubscription) dlqReader).awaitAssignment(Duration.ofSeconds(30))).isTrue();
    assertThat(((KafkaSubscription) subscription).awaitAssignment(Duration.ofSeconds(30))).isTrue();

    kafka.publisher().publish(OutboundMessage.of(topic, "stuck")).get(30, TimeUnit.SECONDS);

    Await.until(
        "the stuck handler returned",
        () -> listener.processed.stream().anyMatch(p -> p.destination().equals(topic)));
    assertThat(deadLettersSeenByTheHandler).containsExactly(1);
    assertThat(deadLetters.get(0).headers())
        .containsEntry("baton-dlq-error", "baton.handler_timeout");
    assertThat(
            listener.processed.stream()
                .filter(p -> p.destination().equals(topic))
                .map(TransportListener.Processed::outcome))
        .containsExactly(Outcome.ABANDONED);
    Await.until("its offset committed", () -> committed(topic, "thinkers") == 1);
    assertThat(runs).containsExactly(1);
  }

  private long committed(String topic, String group) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                group),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      var partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .collect(Collectors.toSet());
      return consumer.committed(partitions).values().stream()
          .filter(Objects::nonNull)
          .mapToLong(o -> o.offset())
          .sum();
    }
  }
}
