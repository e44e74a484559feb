/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.KafkaCluster;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.Meters;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Publisher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 3-node KRaft cluster, a topic with replication factor 3 and {@code min.insync.replicas} 2: the
 * partition's leader is killed (-9) under load. Every record the producer saw acknowledged is
 * handled (none lost), and the group's lag comes back to 0.
 */
@Timeout(300)
@Tag("scenario")
class KafkaClusterFailoverTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final int RECORDS = 600;
  private static final int KILL_AFTER = 200;
  private static final String TOPIC = "failover";

  @Test
  void killingThePartitionLeaderUnderLoadLosesNoAcknowledgedRecord() throws Exception {
    try (KafkaCluster cluster = KafkaCluster.start(3)) {
      try (Admin admin = cluster.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      BackplaneMetrics metrics = BackplaneMetrics.builder().build();
      metrics.bindTo(registry);
      Meters meters = new Meters(registry);
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      Set<String> handled = ConcurrentHashMap.newKeySet();
      AtomicInteger answered = new AtomicInteger();
      try (KafkaBaton kafka =
          KafkaBaton.builder(
                  Baton.builder(OTEL.getOpenTelemetry())
                      .setAgentName("survivor")
                      .addListener(metrics)
                      .build(),
                  Map.of(
                      "bootstrap.servers",
                      cluster.bootstrapServers(),
                      "acks",
                      "all",
                      "reconnect.backoff.ms",
                      50,
                      "reconnect.backoff.max.ms",
                      500))
              .setPollTimeout(Duration.ofMillis(100))
              .setBacklogInterval(Duration.ZERO)
              .build()) {
        kafka.subscriber().subscribe(TOPIC, "survivors", m -> handled.add(m.payloadAsString()));
        Publisher publisher = kafka.publisher();
        KafkaBroker killed = null;
        long killedAt = 0;
        for (int i = 1; i <= RECORDS; i++) {
          if (i == KILL_AFTER) {
            killed = cluster.node(leader(cluster));
            killed.kill();
            killedAt = System.nanoTime();
            System.out.println("[kafka-failover] killed the leader, node " + killed.nodeId());
          }
          String record = "r" + i;
          publisher
              .publish(OutboundMessage.of(TOPIC, record))
              .whenComplete(
                  (receipt, error) -> {
                    if (error == null) {
                      acknowledged.add(record);
                    }
                    answered.incrementAndGet();
                  });
          Thread.sleep(5);
        }
        Await.until(
            "every send answered", Duration.ofSeconds(120), () -> answered.get() == RECORDS);
        Await.until(
            "every acknowledged record handled",
            Duration.ofSeconds(120),
            () -> handled.containsAll(acknowledged));
        System.out.printf(
            "[kafka-failover] %d acknowledged, %d handled, leader now node %d, all handled %d ms"
                + " after the kill%n",
            acknowledged.size(),
            handled.size(),
            leader(cluster),
            (System.nanoTime() - killedAt) / 1_000_000);
        assertThat(acknowledged).as("sends acknowledged (acks=all, 2 in sync)").hasSize(RECORDS);
        assertThat(handled).containsAll(acknowledged);
        assertThat(leader(cluster)).isNotEqualTo(killed.nodeId());
        Await.until(
            "lag back to 0",
            Duration.ofSeconds(60),
            () -> {
              kafka.probe();
              return meters.gaugeOn("baton.consumer.lag", TOPIC) == 0;
            });
      }
    }
  }

  /** The node id of the partition's leader, or -1 while it has none. */
  private static int leader(KafkaCluster cluster) throws Exception {
    try (Admin admin = cluster.admin()) {
      var partition =
          admin
              .describeTopics(List.of(TOPIC))
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .get(TOPIC)
              .partitions()
              .get(0);
      return partition.leader() == null ? -1 : partition.leader().id();
    }
  }
}
