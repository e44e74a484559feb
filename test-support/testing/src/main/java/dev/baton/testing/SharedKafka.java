/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import dev.baton.launchers.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One Kafka broker for the whole test run (its start is paid once; tests use unique topics):
 * Testcontainers' Kafka module when, and only when, a Docker engine is available, else a {@link
 * KafkaBroker} child JVM from the Maven Central jars. Fault tests start dedicated {@link
 * KafkaBroker}s instead.
 *
 * <p>Use as {@code @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();}.
 */
public final class SharedKafka implements BeforeAllCallback {

  private static final Logger log = LoggerFactory.getLogger(SharedKafka.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedKafka.class);

  private Running running;

  /** The running broker, started on first use and stopped when the run ends. */
  interface Running extends AutoCloseable {
    String bootstrapServers();

    String kind();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    running =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .computeIfAbsent("broker", k -> start(), Running.class);
  }

  /** {@return {@code host:port} of the shared broker} */
  public String bootstrapServers() {
    return running.bootstrapServers();
  }

  /** {@return how the broker runs: {@code testcontainers} or {@code jvm}} */
  public String kind() {
    return running.kind();
  }

  /**
   * Creates a topic with {@code partitions} partitions.
   *
   * @param name the topic's name
   * @param partitions how many partitions
   * @throws Exception when the broker refuses the topic
   */
  public void createTopic(String name, int partitions) throws Exception {
    createTopic(name, partitions, Map.of());
  }

  /**
   * Creates a topic with {@code partitions} partitions and topic-level {@code configs}.
   *
   * @param name the topic's name
   * @param partitions how many partitions
   * @param configs topic-level settings
   * @throws Exception when the broker refuses the topic
   */
  public void createTopic(String name, int partitions, Map<String, String> configs)
      throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
      KafkaBroker.awaitLeaders(admin, List.of(name), Duration.ofSeconds(30));
    }
  }

  private static Running start() {
    long started = System.nanoTime();
    try {
      Running broker = dockerAvailable() ? container() : jvm();
      log.warn(
          "shared Kafka broker ({}) ready in {} ms",
          broker.kind(),
          (System.nanoTime() - started) / 1_000_000);
      return broker;
    } catch (Exception e) {
      throw new IllegalStateException("could not start the shared Kafka broker", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }

  private static Running jvm() throws Exception {
    KafkaBroker broker = KafkaBroker.start();
    return new Running() {
      @Override
      public String bootstrapServers() {
        return broker.bootstrapServers();
      }

      @Override
      public String kind() {
        return "jvm";
      }

      @Override
      public void close() throws Exception {
        broker.close();
      }
    };
  }

  private static Running container() {
    KafkaContainer container = new KafkaContainer("apache/kafka:4.1.0");
    container.start();
    return new Running() {
      @Override
      public String bootstrapServers() {
        return container.getBootstrapServers();
      }

      @Override
      public String kind() {
        return "testcontainers";
      }

      @Override
      public void close() {
        container.stop();
      }
    };
  }
}
