/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.health.CheckReport;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthReport;
import dev.baton.health.HealthStatus;
import dev.baton.testing.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Kafka health check against a real broker. */
class KafkaHealthCheckTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();

  private static final String JAAS =
      "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"agent\" password=\"kafka-secret-pw\";";

  private Map<String, Object> config(String bootstrap) {
    return Map.of(
        "bootstrap.servers",
        bootstrap,
        "security.protocol",
        "PLAINTEXT",
        "sasl.mechanism",
        "PLAIN",
        "sasl.jaas.config",
        JAAS,
        "max.poll.records",
        10);
  }

  @Test
  void theClusterAnswersWithAControllerAndNoSecretAppears() {
    String topic = "needed-" + UUID.randomUUID();
    try (KafkaHealthCheck check =
            KafkaHealthCheck.builder(config(KAFKA.bootstrapServers()))
                .addRequiredTopics(List.of(topic))
                .build();
        HealthManager manager =
            HealthManager.builder()
                .addCheck(check)
                .setInterval(Duration.ZERO)
                .setCacheFor(Duration.ZERO)
                .build()) {
      CheckReport missing = manager.refresh().checks().get("kafka");
      assertThat(missing.status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(missing.reason())
          .isEqualTo("missing topics, or topics this principal may not DESCRIBE: " + topic);

      createTopic(topic);
      HealthReport report = manager.refresh();
      CheckReport kafka = report.checks().get("kafka");

      assertThat(kafka.status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(kafka.details())
          .containsEntry("brokers", 1)
          .containsKey("controller")
          .containsKey("cluster_id");
      assertThat(kafka.dependencies()).containsExactly("kafka://" + KAFKA.bootstrapServers());
      assertThat(report.toString()).doesNotContain("kafka-secret-pw");
    }
  }

  private static void createTopic(String topic) {
    try {
      KAFKA.createTopic(topic, 1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anUnreachableClusterIsUnhealthyWithinTheTimeout() {
    try (KafkaHealthCheck check =
            KafkaHealthCheck.builder(config("127.0.0.1:1"))
                .setTimeout(Duration.ofMillis(800))
                .build();
        HealthManager manager =
            HealthManager.builder()
                .addCheck(check)
                .setInterval(Duration.ZERO)
                .setTimeout(Duration.ofSeconds(2))
                .build()) {
      long started = System.nanoTime();
      CheckReport report = manager.refresh().checks().get("kafka");

      assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3000);
      assertThat(report.status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(report.reason()).doesNotContain("kafka-secret-pw");
    }
  }

  @Test
  void aConfigurationWithoutBootstrapServersFailsAtBuild() {
    assertThatThrownBy(() -> KafkaHealthCheck.builder(Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrap.servers");
  }
}
