/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.examples.TwoAgentsKafka;
import dev.baton.propagation.Baton;
import dev.baton.testing.SharedKafka;
import dev.baton.testing.TransportContract;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared transport scenarios against a real Kafka broker. */
class KafkaTransportContractTest extends TransportContract {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();

  /** Records past the broker's default 1 MiB limit need topic settings of their own. */
  private static final int MAX_HEADER_BYTES = 512 * 1024;

  @Override
  public String system() {
    return "kafka";
  }

  @Override
  public boolean repliesUseTemporaryDestinations() {
    return false;
  }

  @Override
  public void assertBacklogWhilePaused(TransportListener.Backlog backlog) {
    // per partition (the topic has one); Kafka has no per-message acknowledgement
    assertThat(backlog.partition()).isEqualTo("0");
    assertThat(backlog.ackPending()).isNaN();
  }

  @Override
  public String runReadmeExample(OpenTelemetry openTelemetry) throws Exception {
    return TwoAgentsKafka.run(KAFKA.bootstrapServers(), openTelemetry);
  }

  @Override
  public Path readmeExampleSource() {
    return Path.of("src/test/java/dev/baton/examples/TwoAgentsKafka.java");
  }

  @Override
  public int perTaskDestinations() {
    return 300;
  }

  /**
   * The 3,000 per-task topics, in the scenario suite: creating them takes half a minute.
   */
  @Nested
  @Tag("scenario")
  class ThreeThousandTopics {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // 34 s in a CI run: room past the 60 s default
    void perTaskTopicsGiveOneSendNameAndOneProcessName() throws Exception {
      assertPerTaskDestinationsGiveOneNameEach(3_000);
    }
  }

  @Override
  public void prepareDestinations(List<String> destinations) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
      admin
          .createTopics(destinations.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
          .all()
          .get(60, TimeUnit.SECONDS);
    }
  }

  /** The README says switching broker changes the transport lines only: it is so. */
  @Test
  void theKafkaExampleIsTheNatsExampleWithKafkaBatonCreatingTheTransports() throws Exception {
    String nats =
        exampleCode(Path.of("../transport-nats/src/test/java/dev/baton/examples/TwoAgents.java"));
    String kafka = exampleCode(readmeExampleSource());

    assertThat(kafka)
        .contains("KafkaBaton.create(writer, config)")
        .isEqualTo(
            nats.replace("NatsBaton.create(", "KafkaBaton.create(")
                .replace(", connection)", ", config)"));
  }

  /** The agent code of an example: its lines between the formatter's markers. */
  private static String exampleCode(Path source) throws Exception {
    String text = Files.readString(source);
    return text.substring(text.indexOf("// spotless:off"), text.indexOf("// spotless:on"))
        .lines()
        .filter(line -> !line.strip().startsWith("// README example:"))
        .collect(Collectors.joining("\n"));
  }

  @Override
  public Agent open(Baton baton) {
    KafkaBaton kafka =
        KafkaBaton.builder(baton, Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
            .setPollTimeout(Duration.ofMillis(100))
            .setBacklogInterval(Duration.ZERO)
            .setFailurePolicy(
                FailurePolicy.retry(3, Duration.ofMillis(10), Duration.ofMillis(50)).thenStop())
            .build();
    KafkaProducer<String, byte[]> raw =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer());
    return new Agent() {
      @Override
      public Publisher publisher() {
        return kafka.publisher();
      }

      @Override
      public Subscriber subscriber() {
        return kafka.subscriber();
      }

      @Override
      public void ready(Subscription subscription) throws Exception {
        if (!((KafkaSubscription) subscription).awaitAssignment(Duration.ofSeconds(30))) {
          throw new AssertionError("no partition assignment for " + subscription);
        }
      }

      @Override
      public Subscriber redeliveringSubscriber(String destination) {
        return kafka.durableSubscriber(); // the failure policy retries in place
      }

      @Override
      public void probe() {
        kafka.probe();
      }

      @Override
      public void rawPublish(
          String destination, @Nullable Map<String, List<String>> headers, byte[] payload)
          throws Exception {
        RecordHeaders recordHeaders = new RecordHeaders();
        if (headers != null) {
          headers.forEach(
              (k, values) ->
                  values.forEach(v -> recordHeaders.add(k, v.getBytes(StandardCharsets.UTF_8))));
        }
        raw.send(
                new ProducerRecord<String, byte[]>(
                    destination, null, (String) null, payload, recordHeaders))
            .get(30, TimeUnit.SECONDS);
      }

      @Override
      public Map<String, List<String>> rawReceive(String destination, Callable<?> publish)
          throws Exception {
        try (KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers",
                    KAFKA.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG,
                    "raw-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
          consumer.subscribe(List.of(destination));
          publish.call();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
              Map<String, List<String>> headers = new LinkedHashMap<>();
              for (Header header : record.headers()) {
                headers
                    .computeIfAbsent(header.key(), k -> new ArrayList<>())
                    .add(new String(header.value(), StandardCharsets.UTF_8));
              }
              return headers;
            }
          }
          throw new AssertionError("no record on " + destination);
        }
      }

      @Override
      public boolean canCarry(@Nullable Map<String, List<String>> headers) {
        if (headers == null) {
          return true;
        }
        long size =
            headers.entrySet().stream()
                .mapToLong(
                    e ->
                        e.getValue().stream()
                            .mapToLong(v -> e.getKey().length() + v.length() + 8L)
                            .sum())
                .sum();
        return size < MAX_HEADER_BYTES;
      }

      @Override
      public void close() {
        kafka.close();
        raw.close();
      }
    };
  }
}
