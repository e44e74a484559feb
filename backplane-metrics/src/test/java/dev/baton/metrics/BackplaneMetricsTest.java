/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener.Backlog;
import dev.baton.transport.TransportListener.ConnectionChange;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.QueueDepth;
import dev.baton.transport.TransportListener.Received;
import dev.baton.transport.TransportListener.RejectedContext;
import dev.baton.transport.TransportListener.Sent;
import dev.baton.transport.TransportListener.SubscriptionChange;
import dev.baton.transport.TransportListener.SubscriptionState;
import dev.baton.transport.TransportListener.TelemetryFailure;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class BackplaneMetricsTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong now = new AtomicLong(1_000_000);

  private BackplaneMetrics metrics(Consumer<BackplaneMetrics.Builder> config) {
    BackplaneMetrics.Builder builder = BackplaneMetrics.builder().setClock(now::get);
    config.accept(builder);
    BackplaneMetrics metrics = builder.build();
    metrics.bindTo(registry);
    return metrics;
  }

  @Test
  void countsAreExactlyWhatWasSentReceivedAndProcessed() {
    BackplaneMetrics metrics = metrics(b -> {});
    for (int i = 0; i < 250; i++) {
      metrics.onSent(new Sent("nats", "writer", "drafts", 100, 1_000_000, null));
      metrics.onReceived(
          new Received(
              "nats",
              "reviewer",
              "drafts",
              "reviewers",
              "writer",
              100,
              5_000_000,
              1 + i % 25 / 24));
      metrics.onProcessed(
          new Processed(
              "nats",
              "reviewer",
              "drafts",
              "reviewers",
              i % 10 == 0 ? Outcome.NAK : Outcome.ACK,
              2_000_000,
              null));
    }
    metrics.onSent(new Sent("nats", "writer", "drafts", 100, 1_000_000, "java.io.IOException"));
    metrics.onProcessed(
        new Processed("kafka", "reviewer", "drafts", "reviewers", Outcome.DEAD_LETTERED, 1, "X"));

    assertThat(
            registry
                .get("messaging.client.sent.messages")
                .tag("outcome", "success")
                .counter()
                .count())
        .isEqualTo(250);
    assertThat(
            registry
                .get("messaging.client.sent.messages")
                .tag("outcome", "failure")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("messaging.client.consumed.messages").counter().count()).isEqualTo(250);
    assertThat(registry.get("baton.redelivered.messages").counter().count())
        .as("the deliveries with a count above 1: i %% 25 == 24")
        .isEqualTo(10);
    assertThat(registry.get("baton.processed.messages").tag("outcome", "success").counter().count())
        .isEqualTo(225);
    assertThat(registry.get("baton.processed.messages").tag("outcome", "failure").counter().count())
        .isEqualTo(25);
    assertThat(
            registry
                .get("baton.processed.messages")
                .tag("outcome", "dead_lettered")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("baton.agent.messages")
                .tag("from_agent", "writer")
                .tag("to_agent", "reviewer")
                .counter()
                .count())
        .isEqualTo(250);
    assertThat(
            registry
                .get("baton.message.body.size")
                .tag("direction", "sent")
                .summary()
                .totalAmount())
        .isEqualTo(25_100);
    assertThat(
            registry
                .get("messaging.process.duration")
                .tag("messaging.system", "nats")
                .timer()
                .count())
        .isEqualTo(250);
  }

  @Test
  void keptHopsAreCountedByReason() {
    BackplaneMetrics metrics = metrics(b -> {});
    for (String kept : new String[] {"failure", "failure", "slow", null}) {
      metrics.onProcessed(
          new Processed(
              "nats", "worker", "jobs", "workers", Outcome.ACK, 1_000, null, -1, -1, kept));
    }

    assertThat(registry.get("baton.kept.spans").tag("reason", "failure").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("baton.kept.spans").tag("reason", "slow").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("baton.kept.spans").counters()).hasSize(2);
  }

  @Test
  void aMessageSentTwoHundredMillisecondsAgoLandsInThe250MillisecondBucket() {
    BackplaneMetrics metrics = metrics(b -> {});

    metrics.onReceived(
        new Received(
            "nats", "reviewer", "drafts", "", "writer", 1, Duration.ofMillis(200).toNanos(), 1));

    CountAtBucket[] buckets =
        registry.get("baton.delivery.latency").timer().takeSnapshot().histogramCounts();
    assertThat(bucket(buckets, 0.1)).isZero();
    assertThat(bucket(buckets, 0.25)).isEqualTo(1);
    assertThat(buckets[0].bucket(TimeUnit.SECONDS)).isEqualTo(0.001);
    assertThat(buckets[buckets.length - 1].bucket(TimeUnit.SECONDS)).isEqualTo(60.0);
    assertThat(registry.scrape().lines())
        .anyMatch(
            l ->
                l.startsWith("baton_delivery_latency_seconds_bucket{")
                    && l.endsWith("le=\"0.25\"} 1"))
        .anyMatch(
            l ->
                l.startsWith("baton_delivery_latency_seconds_bucket{")
                    && l.endsWith("le=\"0.1\"} 0"));
  }

  private static double bucket(CountAtBucket[] buckets, double seconds) {
    return Arrays.stream(buckets)
        .filter(b -> b.bucket(TimeUnit.SECONDS) == seconds)
        .findFirst()
        .orElseThrow()
        .count();
  }

  @Test
  void tenThousandDestinationsProduceAtMostTheCapOfLabelValues() {
    BackplaneMetrics metrics = metrics(b -> b.setMaxTagValues(50));

    for (int i = 0; i < 10_000; i++) {
      metrics.onSent(new Sent("nats", "writer", "tasks.user-" + i, 1, 1, null));
    }

    Set<String> values =
        registry.get("messaging.client.sent.messages").counters().stream()
            .map(c -> c.getId().getTag("messaging.destination.name"))
            .collect(Collectors.toSet());
    assertThat(values).hasSize(51).contains("other");
    assertThat(
            registry
                .get("messaging.client.sent.messages")
                .tag("messaging.destination.name", "other")
                .counter()
                .count())
        .isEqualTo(10_000 - 50);
  }

  @Test
  void destinationPatternsNameHighCardinalitySubjects() {
    BackplaneMetrics metrics = metrics(b -> b.addDestinationPattern("agents.tasks.*"));

    metrics.onSent(new Sent("nats", "writer", "agents.tasks.4711", 1, 1, null));
    metrics.onSent(new Sent("nats", "writer", "agents.tasks.4712", 1, 1, null));
    metrics.onSent(new Sent("nats", "writer", "agents.other", 1, 1, null));

    assertThat(
            registry
                .get("messaging.client.sent.messages")
                .tag("messaging.destination.name", "agents.tasks.*")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("messaging.client.sent.messages")
                .tag("messaging.destination.name", "agents.other")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void lagIsUnknownUntilMeasuredAndSumsPartitionsWhenItIs() {
    BackplaneMetrics metrics = metrics(b -> {});
    metrics.onSubscription(
        new SubscriptionChange("kafka", "tasks", "workers", SubscriptionState.STARTED));

    assertThat(registry.get("baton.consumer.lag").gauge().value()).isNaN();

    metrics.onBacklog(new Backlog("kafka", "tasks", "workers", "0", 700, Double.NaN, 3.5));
    metrics.onBacklog(
        new Backlog("kafka", "tasks", "workers", "1", Double.NaN, Double.NaN, Double.NaN));
    assertThat(registry.get("baton.consumer.lag").gauge().value())
        .as("partition 1 still unknown")
        .isNaN();
    metrics.onBacklog(new Backlog("kafka", "tasks", "workers", "1", 300, Double.NaN, 1.5));

    assertThat(registry.get("baton.consumer.lag").gauge().value()).isEqualTo(1000);
    assertThat(registry.get("baton.consumer.lag.time").timeGauge().value(TimeUnit.SECONDS))
        .isEqualTo(3.5);
    assertThat(registry.scrape())
        .contains("baton_consumer_lag_messages{")
        .contains("baton_consumer_lag_time_seconds{");
  }

  @Test
  void partitionsBecomeALabelOnlyWhenAskedFor() {
    BackplaneMetrics metrics = metrics(b -> b.setPartitionLabel(true));

    metrics.onBacklog(new Backlog("kafka", "tasks", "workers", "0", 7, Double.NaN, 1));
    metrics.onBacklog(new Backlog("kafka", "tasks", "workers", "1", 3, Double.NaN, 1));

    assertThat(registry.get("baton.consumer.lag").tag("partition", "0").gauge().value())
        .isEqualTo(7);
    assertThat(registry.get("baton.consumer.lag").tag("partition", "1").gauge().value())
        .isEqualTo(3);
  }

  @Test
  void aPositionThatMovesOnIsProgressSoABusyGroupIsNeverStalled() {
    BackplaneMetrics metrics = metrics(b -> b.setStallAfter(Duration.ofSeconds(30)));
    metrics.onSubscription(
        new SubscriptionChange("kafka", "orders", "workers", SubscriptionState.STARTED));
    metrics.onBacklog(new Backlog("kafka", "orders", "workers", "0", 10, Double.NaN, 1, 100));

    now.addAndGet(25_000);
    metrics.onBacklog(new Backlog("kafka", "orders", "workers", "0", 10, Double.NaN, 1, 140));
    now.addAndGet(25_000);
    ConsumerStatus moving = metrics.status("kafka", "orders", "workers");
    metrics.onBacklog(new Backlog("kafka", "orders", "workers", "0", 10, Double.NaN, 1, 140));
    now.addAndGet(6_000);

    assertThat(moving).isEqualTo(ConsumerStatus.OK);
    assertThat(metrics.status("kafka", "orders", "workers")).isEqualTo(ConsumerStatus.STALLED);
    assertThat(registry.get("baton.consumer.last.processed.timestamp").gauge().value())
        .isEqualTo((1_000_000 + 25_000) / 1000.0);
  }

  @Test
  void handlerCostAddsUpPerAgentAndDestinationAndUnmeasuredCostIsLeftOut() {
    BackplaneMetrics metrics = metrics(b -> {});
    metrics.onProcessed(
        new Processed(
            "nats", "coder", "tasks", "coders", Outcome.ACK, 5_000_000, null, 2_000_000, 4096));
    metrics.onProcessed(
        new Processed(
            "nats", "coder", "tasks", "coders", Outcome.ACK, 5_000_000, null, 3_000_000, 1024));
    metrics.onProcessed(
        new Processed("nats", "reviewer", "tasks", "reviewers", Outcome.ACK, 5_000_000, null));

    assertThat(
            registry
                .get("baton.handler.cpu.time")
                .tag("gen_ai.agent.name", "coder")
                .counter()
                .count())
        .isEqualTo(0.005, Offset.offset(1e-12));
    assertThat(
            registry
                .get("baton.handler.allocated")
                .tag("gen_ai.agent.name", "coder")
                .counter()
                .count())
        .isEqualTo(5120);
    assertThat(
            registry.find("baton.handler.cpu.time").tag("gen_ai.agent.name", "reviewer").counter())
        .isNull();
    assertThat(registry.scrape())
        .contains("baton_handler_cpu_time_seconds_total{")
        .contains("baton_handler_allocated_bytes_total{");
  }

  @Test
  void statusFollowsLagProgressAndSubscriptions() {
    BackplaneMetrics metrics = metrics(b -> b.setStallAfter(Duration.ofSeconds(30)));
    metrics.onSubscription(
        new SubscriptionChange("nats", "tasks", "workers", SubscriptionState.STARTED));
    assertThat(metrics.status("nats", "tasks", "workers")).isEqualTo(ConsumerStatus.OK);

    metrics.onBacklog(new Backlog("nats", "tasks", "workers", "", 5, 1, 1));
    metrics.onBacklog(new Backlog("nats", "tasks", "workers", "", 8, 1, 2));
    metrics.onBacklog(new Backlog("nats", "tasks", "workers", "", 12, 1, 3));
    assertThat(metrics.status("nats", "tasks", "workers")).isEqualTo(ConsumerStatus.WARN);

    now.addAndGet(31_000);
    assertThat(metrics.status("nats", "tasks", "workers")).isEqualTo(ConsumerStatus.STALLED);
    assertThat(registry.get("baton.consumer.status").gauge().value()).isEqualTo(2);

    metrics.onProcessed(new Processed("nats", "w", "tasks", "workers", Outcome.ACK, 1, null));
    metrics.onBacklog(new Backlog("nats", "tasks", "workers", "", 0, 0, 0));
    assertThat(metrics.status("nats", "tasks", "workers")).isEqualTo(ConsumerStatus.OK);
    assertThat(registry.get("baton.consumer.last.processed.timestamp").gauge().value())
        .isEqualTo(now.get() / 1000.0);

    metrics.onSubscription(
        new SubscriptionChange("nats", "tasks", "workers", SubscriptionState.FAILED));
    assertThat(metrics.status("nats", "tasks", "workers")).isEqualTo(ConsumerStatus.STOPPED);
  }

  @Test
  void anIdleCaughtUpGroupIsOkHoweverLongItWaits() {
    BackplaneMetrics metrics = metrics(b -> b.setStallAfter(Duration.ofSeconds(30)));
    metrics.onSubscription(
        new SubscriptionChange("kafka", "tasks", "workers", SubscriptionState.STARTED));
    metrics.onBacklog(new Backlog("kafka", "tasks", "workers", "0", 0, Double.NaN, 0));

    now.addAndGet(3_600_000);

    assertThat(metrics.status("kafka", "tasks", "workers")).isEqualTo(ConsumerStatus.OK);
  }

  @Test
  void connectionEventsCountAndTellWhetherTheBrokerIsUp() {
    BackplaneMetrics metrics = metrics(b -> {});

    metrics.onConnection(new ConnectionChange("nats", ConnectionEvent.CONNECTED, "up"));
    metrics.onConnection(new ConnectionChange("nats", ConnectionEvent.DISCONNECTED, "down"));
    assertThat(registry.get("baton.connection.up").gauge().value()).isZero();
    metrics.onConnection(new ConnectionChange("nats", ConnectionEvent.RECONNECTED, "up"));

    assertThat(
            registry.get("baton.connection.events").tag("event", "reconnected").counter().count())
        .isEqualTo(1);
    assertThat(
            registry.get("baton.connection.events").tag("event", "disconnected").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("baton.connection.up").gauge().value()).isEqualTo(1);
  }

  @Test
  void queueDepthRejectionsAndFailuresAreCounted() {
    BackplaneMetrics metrics = metrics(b -> {});

    metrics.onQueueDepth(new QueueDepth("nats", "tasks", "", 9, 900));
    metrics.onRejectedContext(
        new RejectedContext("nats", "tasks", RejectionReason.INVALID_TRACEPARENT, true));
    metrics.onTelemetryFailure(
        new TelemetryFailure("kafka", "backlog", "java.util.concurrent.TimeoutException"));

    assertThat(registry.get("baton.queue.depth").gauge().value()).isEqualTo(9);
    assertThat(registry.get("baton.queue.depth.bytes").gauge().value()).isEqualTo(900);
    assertThat(
            registry
                .get("baton.rejected.contexts")
                .tag("reason", "invalid_traceparent")
                .tag("direction", "inbound")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry.get("baton.telemetry.failures").tag("operation", "backlog").counter().count())
        .isEqualTo(1);
  }

  @Test
  void closeRemovesEveryMeterItRegistered() {
    BackplaneMetrics metrics = metrics(b -> {});
    metrics.onSent(new Sent("nats", "writer", "drafts", 1, 1, null));
    metrics.onBacklog(new Backlog("nats", "drafts", "g", "", 1, 0, 0));
    assertThat(registry.getMeters()).isNotEmpty();

    metrics.close();

    assertThat(registry.getMeters()).extracting(Meter::getId).isEmpty();
  }

  @Test
  void eventsBeforeBindingAreIgnoredAndBindingToASecondRegistryIsAnError() {
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.onSent(new Sent("nats", "writer", "drafts", 1, 1, null));
    metrics.bindTo(registry);

    assertThat(registry.getMeters()).isEmpty();
    metrics.bindTo(registry); // again to the same one, as Spring Boot does with MeterBinder beans
    metrics.onSent(new Sent("nats", "writer", "drafts", 1, 1, null));
    assertThat(registry.find("messaging.client.sent.messages").counters()).hasSize(1);
    assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("another registry");
    assertThatThrownBy(() -> BackplaneMetrics.builder().setMaxTagValues(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theScrapeIsValidExpositionWithBaseUnits() {
    BackplaneMetrics metrics = metrics(b -> {});
    metrics.onSent(new Sent("nats", "writer", "drafts", 10, 1_000_000, null));
    metrics.onReceived(new Received("nats", "reviewer", "drafts", "g", "writer", 10, 2_000_000, 1));
    metrics.onProcessed(
        new Processed("nats", "reviewer", "drafts", "g", Outcome.ACK, 3_000_000, null));
    metrics.onBacklog(new Backlog("nats", "drafts", "g", "", 0, 0, 0));
    metrics.onQueueDepth(new QueueDepth("nats", "drafts", "g", 0, 0));
    metrics.onConnection(new ConnectionChange("nats", ConnectionEvent.CONNECTED, "up"));

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("messaging_client_sent_messages_total{")
        .contains("messaging_client_consumed_messages_total{")
        .contains("baton_processed_messages_total{")
        .contains("messaging_client_operation_duration_seconds_bucket{")
        .contains("messaging_process_duration_seconds_bucket{")
        .contains("baton_delivery_latency_seconds_bucket{")
        .contains("baton_message_body_size_bytes_count{")
        .contains("baton_consumer_lag_messages{")
        .contains("baton_consumer_ack_pending_messages{")
        .contains("baton_consumer_lag_time_seconds{")
        .contains("baton_consumer_last_processed_timestamp_seconds{")
        .contains("baton_consumer_status{")
        .contains("baton_queue_depth_messages{")
        .contains("baton_queue_depth_bytes{")
        .contains("baton_connection_up{")
        .contains("baton_connection_events_total{")
        .contains("baton_agent_messages_total{");
  }
}
