/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.health.HealthCheck;
import dev.baton.launchers.KafkaBroker;
import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;
import dev.baton.transport.kafka.FailurePolicy;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.kafka.KafkaHealthCheck;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;

/**
 * The swarm on Kafka: an existing cluster, or the embedded default, a real KRaft broker in a child
 * JVM the swarm starts and stops. Every topic is consumed by a group; a handler failure is retried
 * and then dead-lettered.
 */
final class KafkaBackplane implements Backplane {

  static final List<String> TOPICS =
      List.of(
          Roles.SUBMIT,
          Roles.RESEARCH,
          Roles.CODE,
          Roles.REVIEW,
          Roles.SUMMARIZE,
          Roles.DONE,
          Roles.CRITIQUE,
          Roles.REVISE,
          Roles.DEAD_LETTER,
          Transport.HEARTBEATS,
          SpanRelay.DESTINATION);

  private final String bootstrapServers;
  private final @Nullable KafkaBroker embedded;
  private final Map<String, Object> config;

  /**
   * The topics that carry work, each split in {@link #PARTITIONS} partitions so that up to that
   * many replicas of a role share it (a task's messages share a partition: the task id is the key).
   */
  static final List<String> WORK_TOPICS =
      List.of(
          Roles.SUBMIT,
          Roles.RESEARCH,
          Roles.CODE,
          Roles.REVIEW,
          Roles.SUMMARIZE,
          Roles.DONE,
          Roles.CRITIQUE,
          Roles.REVISE);

  static final int PARTITIONS = 6;

  private KafkaBackplane(
      String bootstrapServers, Map<String, Object> security, @Nullable KafkaBroker embedded)
      throws Exception {
    this.bootstrapServers = bootstrapServers;
    this.embedded = embedded;
    Map<String, Object> clients = new HashMap<>(security);
    clients.put("bootstrap.servers", bootstrapServers);
    this.config = Map.copyOf(clients);
    Map<String, Object> adminConfig = new HashMap<>(config);
    adminConfig.put("request.timeout.ms", 5000);
    adminConfig.put("default.api.timeout.ms", 10000);
    try (Admin admin = Admin.create(adminConfig)) {
      admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
      Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      List<NewTopic> topics = new ArrayList<>();
      for (String topic : TOPICS) {
        if (!existing.contains(topic)) {
          topics.add(new NewTopic(topic, partitions(topic), (short) -1));
        }
      }
      try {
        if (!topics.isEmpty()) {
          admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AuthorizationException) {
          throw new IllegalStateException(
              "the topics "
                  + topics.stream().map(NewTopic::name).toList()
                  + " do not exist (or this principal may not DESCRIBE them) and it may not create"
                  + " them: have an administrator create them, or grant CREATE (see the README's"
                  + " permissions)",
              e.getCause());
        }
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e; // another process created it meanwhile: fine
        }
      }
      Map<String, NewPartitions> more = new HashMap<>();
      admin
          .describeTopics(WORK_TOPICS)
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .forEach(
              (topic, description) -> {
                if (description.partitions().size() < PARTITIONS) {
                  more.put(topic, NewPartitions.increaseTo(PARTITIONS));
                }
              });
      if (!more.isEmpty()) {
        try {
          admin.createPartitions(more).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof InvalidPartitionsException)) {
            throw e; // another process added them meanwhile: fine
          }
        }
      }
      if (!topics.isEmpty() || !more.isEmpty()) {
        awaitLeaders(admin);
      }
    }
  }

  /**
   * Waits until the broker serves every partition of the swarm's topics (KafkaBroker.awaitLeaders
   * says why: an idempotent producer's first writes to a partition just created can be lost in a
   * retry loop); a principal that may not describe them does not wait.
   */
  private static void awaitLeaders(Admin admin) throws Exception {
    try {
      KafkaBroker.awaitLeaders(admin, TOPICS, Duration.ofSeconds(30));
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof AuthorizationException)) {
        throw e;
      }
    }
  }

  private static int partitions(String topic) {
    return WORK_TOPICS.contains(topic) ? PARTITIONS : 1;
  }

  /**
   * An existing cluster, with the client settings in {@code propertiesFile} (TLS, SASL) when it is
   * not null; fails within about 10 s when it does not answer. Topics that exist with their
   * partitions are used as they are, so an account that may not create topics works once an
   * administrator made them.
   */
  static KafkaBackplane connect(String bootstrapServers, @Nullable String propertiesFile)
      throws Exception {
    return new KafkaBackplane(bootstrapServers, clientSettings(propertiesFile), null);
  }

  /** The client settings in a properties file; empty for none. */
  static Map<String, Object> clientSettings(@Nullable String propertiesFile) throws IOException {
    Map<String, Object> settings = new HashMap<>();
    if (propertiesFile == null) {
      return settings;
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(propertiesFile))) {
      properties.load(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--kafka-config: no such file " + propertiesFile);
    }
    properties.forEach((k, v) -> settings.put(k.toString().trim(), v.toString().trim()));
    settings.remove("bootstrap.servers"); // --bootstrap-servers says where
    return settings;
  }

  /** A broker of our own, for a machine where nothing is installed. */
  static KafkaBackplane embedded() throws Exception {
    KafkaBroker broker = KafkaBroker.start();
    try {
      return new KafkaBackplane(broker.bootstrapServers(), Map.of(), broker);
    } catch (Exception e) {
      broker.close();
      throw e;
    }
  }

  /** How long the embedded broker took to start, or null. */
  @Nullable Duration embeddedStartTime() {
    return embedded == null ? null : embedded.lastStartTime();
  }

  @Override
  public String describe() {
    return embedded != null
        ? "an embedded Kafka broker (KRaft, child JVM pid "
            + embedded.pid()
            + ") at "
            + bootstrapServers
        : "Kafka at " + bootstrapServers;
  }

  @Override
  public Transport transport(Baton baton) {
    return KafkaBaton.builder(baton, config)
        // A replica killed without leaving its group hands its partitions on after this long
        // (Kafka's default is 45 s).
        .setConsumerConfig(Map.of("session.timeout.ms", 10_000, "heartbeat.interval.ms", 2_000))
        .setPollTimeout(Duration.ofMillis(100))
        .setBacklogInterval(Duration.ofSeconds(2))
        .setFailurePolicy(
            FailurePolicy.retry(5, Duration.ofMillis(50), Duration.ofSeconds(1))
                .thenDeadLetter(Roles.DEAD_LETTER))
        .build();
  }

  @Override
  public HealthCheck healthCheck() {
    return KafkaHealthCheck.builder(config)
        .addRequiredTopics(List.of(Roles.SUBMIT, Roles.DONE))
        .build();
  }

  @Override
  public void close() throws Exception {
    if (embedded != null) {
      embedded.close();
    }
  }
}
