/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthStatus;
import dev.baton.launchers.NatsCluster;
import dev.baton.launchers.NatsServer;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Publisher;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 3-node nats-server cluster (routes, JetStream, stream replicas 3): the node the agent is
 * connected to is killed (-9) under load. The agent fails over to another node; every message is
 * stored once (publishes retried with their message id are deduplicated) and handled, the handler
 * sees each one once after deduplicating by message id, the health check is DEGRADED while the
 * member is gone and HEALTHY once it is back, and every handled message continues its sender's
 * trace.
 */
@Timeout(300)
@Tag("scenario")
class NatsClusterFailoverTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final int MESSAGES = 600;
  private static final int KILL_AFTER = 200;

  @Test
  void killingTheConnectedNodeUnderLoadLosesNothingAndTracesContinue() throws Exception {
    try (NatsCluster cluster = NatsCluster.start(3)) {
      Options options =
          Options.builder()
              .server(cluster.urls())
              .reconnectWait(Duration.ofMillis(100))
              .maxReconnects(-1)
              .build();
      Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
      Set<String> handled = ConcurrentHashMap.newKeySet();
      AtomicInteger duplicates = new AtomicInteger();
      Map<String, Long> handledAt = new ConcurrentHashMap<>();
      try (Connection connection = Nats.connect(options);
          NatsBaton nats =
              NatsBaton.create(
                  Baton.builder(OTEL.getOpenTelemetry()).setAgentName("survivor").build(),
                  connection)) {
        NatsHealthCheck health = NatsHealthCheck.builder(connection).setJetStream(true).build();
        connection
            .jetStreamManagement()
            .addStream(
                StreamConfiguration.builder()
                    .name("FAILOVER")
                    .subjects("failover.work")
                    .storageType(StorageType.File)
                    .replicas(3)
                    .build());
        Await.until(
            "the cluster advertises all three members",
            () -> {
              try {
                return health.check().details().get("cluster_servers").equals(3);
              } catch (Exception e) {
                return false;
              }
            });
        assertThat(health.check().status()).isEqualTo(HealthStatus.HEALTHY);
        nats.jetStreamSubscriber("FAILOVER")
            .subscribe(
                "failover.work",
                "workers",
                m -> {
                  deliveries.computeIfAbsent(m.id(), id -> new AtomicInteger()).incrementAndGet();
                  handledAt.putIfAbsent(m.id(), System.nanoTime());
                  if (!handled.add(m.id())) {
                    duplicates.incrementAndGet(); // an idempotent handler: seen by message id
                  }
                });

        Publisher publisher = nats.jetStreamPublisher();
        NatsServer killed = null;
        long killedAt = 0;
        CheckResult duringFailover = null;
        for (int i = 1; i <= MESSAGES; i++) {
          if (i == KILL_AFTER) {
            killed = cluster.memberAt(connection.getConnectedUrl());
            killed.kill();
            killedAt = System.nanoTime();
            System.out.println("[failover] killed the node at " + killed.url());
          }
          publishUntilAcknowledged(publisher, "m" + i);
          if (i == KILL_AFTER + 50) {
            duringFailover = health.check();
          }
          Thread.sleep(5);
        }
        Await.until(
            "every message handled", Duration.ofSeconds(90), () -> handled.size() == MESSAGES);
        System.out.println(
            "[failover] now connected to "
                + connection.getConnectedUrl()
                + ", redelivered after the failover: "
                + duplicates.get()
                + ", health during: "
                + duringFailover);
        Duration resumed = Duration.ofNanos(handledAt.get("m" + KILL_AFTER) - killedAt);
        System.out.println(
            "[failover] the first message after the kill handled "
                + resumed.toMillis()
                + " ms after it");
        assertThat(resumed).isLessThan(Duration.ofSeconds(30));
        assertThat(connection.getConnectedUrl()).doesNotEndWith(port(killed.url()));
        assertThat(
                connection
                    .jetStreamManagement()
                    .getStreamInfo("FAILOVER")
                    .getStreamState()
                    .getMsgCount())
            .as("stored once each: retried publishes were deduplicated")
            .isEqualTo(MESSAGES);
        assertThat(handled).hasSize(MESSAGES);
        assertThat(duplicates.get()).as("messages redelivered after the failover").isZero();
        assertThat(deliveries.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(duringFailover.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(duringFailover.reason()).containsAnyOf("a member is down", "missing a member");

        killed.restart();
        Await.until(
            "HEALTHY once the member is back",
            Duration.ofSeconds(60),
            () -> {
              try {
                return health.check().status() == HealthStatus.HEALTHY;
              } catch (Exception e) {
                return false;
              }
            });

        // Every handled message continues its sender's trace, before and after the failover.
        List<SpanData> spans = OTEL.getSpans();
        Map<String, SpanData> sends =
            spans.stream()
                .filter(s -> s.getKind() == SpanKind.PRODUCER)
                .collect(Collectors.toMap(SpanData::getSpanId, s -> s, (a, b) -> a));
        List<SpanData> processes =
            spans.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
        assertThat(processes).hasSizeGreaterThanOrEqualTo(MESSAGES);
        assertThat(processes)
            .allSatisfy(
                p -> {
                  SpanData send = sends.get(p.getParentSpanId());
                  assertThat(send).as("the process span's parent is a send").isNotNull();
                  assertThat(send.getTraceId()).isEqualTo(p.getTraceId());
                });
      }
    }
  }

  /**
   * Publishes with a fixed message id until the stream acknowledges it (a retry is a duplicate).
   */
  private static void publishUntilAcknowledged(Publisher publisher, String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        publisher
            .publish(OutboundMessage.of("failover.work", id).withId(id))
            .get(5, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static String port(String url) {
    return url.substring(url.lastIndexOf(':'));
  }
}
