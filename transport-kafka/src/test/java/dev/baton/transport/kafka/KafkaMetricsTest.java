package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.ConsumerStatus;
import dev.baton.propagation.Baton;
import dev.baton.propagation.testing.Await;
import dev.baton.transport.OutboundMessage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Backplane metrics over a real Kafka broker, read from the registry. */
class KafkaMetricsTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BackplaneMetrics metrics = BackplaneMetrics.builder().build();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  KafkaMetricsTest() {
    metrics.bindTo(registry);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private KafkaBaton kafka(String agent) {
    KafkaBaton kafka =
        KafkaBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName(agent)
                    .addListener(metrics)
                    .build(),
                Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
            .setPollTimeout(Duration.ofMillis(100))
            .setBacklogInterval(Duration.ZERO)
            .build();
    toClose.add(kafka);
    return kafka;
  }

  private double gauge(String name, String topic) {
    return registry.get(name).tag("messaging.destination.name", topic).gauge().value();
  }

  private double counter(String name, String topic, String... tags) {
    return registry
        .get(name)
        .tag("messaging.destination.name", topic)
        .tags(tags)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void sentReceivedAndProcessedCountExactlyWhatTheTestSent() throws Exception {
    String topic = "count-" + UUID.randomUUID();
    KafkaBaton kafka = kafka("counter");
    AtomicInteger handled = new AtomicInteger();
    kafka.subscriber().subscribe(topic, "counters", m -> handled.incrementAndGet());

    for (int i = 0; i < 213; i++) {
      kafka.publisher().publish(OutboundMessage.of(topic, "m" + i));
    }

    Await.until("all handled", () -> handled.get() == 213);
    Await.until(
        "all sends acknowledged", () -> counter("messaging.client.sent.messages", topic) == 213);
    Await.until("all processed", () -> counter("baton.processed.messages", topic) == 213);
    assertThat(counter("messaging.client.consumed.messages", topic)).isEqualTo(213);
    assertThat(counter("baton.processed.messages", topic, "outcome", "success")).isEqualTo(213);
    assertThat(
            registry
                .get("baton.agent.messages")
                .tag("from_agent", "counter")
                .tag("to_agent", "counter")
                .counter()
                .count())
        .isEqualTo(213);
  }

  @Test
  void aThousandRecordsBehindAPausedHandlerReadAsALagOfExactlyAThousand() throws Exception {
    String topic = "lag-" + UUID.randomUUID();
    KafkaBaton producer = kafka("producer");
    KafkaBaton worker = kafka("worker");
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    worker
        .subscriber()
        .subscribe(
            topic,
            "laggards",
            m -> {
              if (!m.payloadAsString().equals("warm-up")) {
                release.await(60, TimeUnit.SECONDS);
              }
              handled.incrementAndGet();
            });
    producer.publisher().publish(OutboundMessage.of(topic, "warm-up")).get(30, TimeUnit.SECONDS);
    Await.until(
        "warm-up handled and committed",
        () -> {
          worker.probe();
          return gauge("baton.consumer.lag", topic) == 0;
        });

    for (int i = 0; i < 999; i++) {
      producer.publisher().publish(OutboundMessage.of(topic, "job-" + i));
    }
    producer.publisher().publish(OutboundMessage.of(topic, "job-999")).get(30, TimeUnit.SECONDS);

    Await.until(
        "a lag of exactly 1,000",
        () -> {
          worker.probe();
          return gauge("baton.consumer.lag", topic) == 1000;
        });
    double firstAge = gauge("baton.consumer.lag.time", topic);
    Await.until(
        "the lag in seconds grows while paused",
        () -> {
          worker.probe();
          return gauge("baton.consumer.lag.time", topic) > firstAge;
        });
    assertThat(gauge("baton.queue.depth", topic)).isPositive();
    release.countDown();
    Await.until("drained", Duration.ofSeconds(60), () -> handled.get() == 1001);

    Await.until(
        "caught up",
        () -> {
          worker.probe();
          return gauge("baton.consumer.lag", topic) == 0;
        });
    assertThat(gauge("baton.consumer.lag.time", topic)).isZero();
    assertThat(gauge("baton.queue.depth", topic)).isZero();
    assertThat(metrics.status("kafka", topic, "laggards")).isEqualTo(ConsumerStatus.OK);
  }
}
