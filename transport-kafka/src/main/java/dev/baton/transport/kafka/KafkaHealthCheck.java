/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import dev.baton.health.HealthStatus;
import dev.baton.transport.internal.Redaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/**
 * The Kafka health check: the cluster must answer {@code describeCluster} within the timeout and
 * know a controller; optionally the topics the agent needs must exist. Details: the broker count,
 * the controller and the cluster id; dependencies: the bootstrap servers without credentials. The
 * configuration (SASL, TLS) is the caller's and never appears anywhere. Thread-safe; close it to
 * release its admin client.
 */
public final class KafkaHealthCheck implements HealthCheck, AutoCloseable {

  private final String name;
  private final Map<String, Object> config;
  private final Duration timeout;
  private final List<String> requiredTopics;
  private final Object lock = new Object();
  private Admin admin;

  private KafkaHealthCheck(Builder b) {
    this.name = b.name;
    this.config = b.config;
    this.timeout = b.timeout;
    this.requiredTopics = List.copyOf(b.requiredTopics);
  }

  /**
   * {@return a builder from the caller's client configuration (only admin settings are used)}
   *
   * @param config the client configuration
   */
  public static Builder builder(Map<String, ?> config) {
    return new Builder(Objects.requireNonNull(config, "config"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> dependencies() {
    Object servers = config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    List<String> dependencies = new ArrayList<>();
    if (servers != null) {
      for (String server : servers.toString().split(",")) {
        dependencies.add("kafka://" + Redaction.redact(server.trim()));
      }
    }
    return dependencies;
  }

  @Override
  public CheckResult check() throws Exception {
    Admin client = admin();
    DescribeClusterResult cluster = client.describeCluster();
    long millis = timeout.toMillis();
    Collection<Node> nodes = cluster.nodes().get(millis, TimeUnit.MILLISECONDS);
    Node controller = cluster.controller().get(millis, TimeUnit.MILLISECONDS);
    String clusterId = cluster.clusterId().get(millis, TimeUnit.MILLISECONDS);
    if (controller == null || controller.isEmpty()) {
      return CheckResult.unhealthy("no controller is known").withDetail("brokers", nodes.size());
    }
    CheckResult result =
        CheckResult.healthy()
            .withDetail("brokers", nodes.size())
            .withDetail("controller", controller.id())
            .withDetail("cluster_id", String.valueOf(clusterId));
    if (!requiredTopics.isEmpty()) {
      Set<String> existing = client.listTopics().names().get(millis, TimeUnit.MILLISECONDS);
      List<String> missing = new ArrayList<>(requiredTopics);
      missing.removeAll(existing);
      if (!missing.isEmpty()) {
        return new CheckResult(
            HealthStatus.UNHEALTHY,
            "missing topics, or topics this principal may not DESCRIBE: "
                + String.join(", ", missing),
            result.details());
      }
      result = result.withDetail("topics", requiredTopics);
    }
    return result;
  }

  private Admin admin() {
    synchronized (lock) {
      if (admin == null) {
        admin = Admin.create(config);
      }
      return admin;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (admin != null) {
        admin.close(Duration.ofSeconds(2));
        admin = null;
      }
    }
  }

  /** Builds a {@link KafkaHealthCheck}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Object> config = new HashMap<>();
    private String name = "kafka";
    private Duration timeout = Duration.ofSeconds(3);
    private final List<String> requiredTopics = new ArrayList<>();

    Builder(Map<String, ?> config) {
      Set<String> known = AdminClientConfig.configNames();
      config.forEach(
          (k, v) -> {
            if (known.contains(k)) {
              this.config.put(k, v);
            }
          });
    }

    /**
     * The check's name. Default {@code kafka}.
     *
     * @param name the check's name
     * @return this builder
     */
    public Builder setName(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * How long the cluster may take to answer. Default 3 s.
     *
     * @param timeout the longest the cluster may take
     * @return this builder
     */
    public Builder setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Topics that must exist for the agent to work.
     *
     * @param topics the topics that must exist
     * @return this builder
     */
    public Builder addRequiredTopics(Collection<String> topics) {
      requiredTopics.addAll(Objects.requireNonNull(topics, "topics"));
      return this;
    }

    /**
     * Builds it; throws {@link IllegalArgumentException} without bootstrap servers.
     *
     * @return the check
     */
    public KafkaHealthCheck build() {
      if (!config.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new IllegalArgumentException("the configuration needs bootstrap.servers");
      }
      config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
      config.putIfAbsent(
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
          (int) Math.max(timeout.toMillis(), 1000));
      return new KafkaHealthCheck(this);
    }
  }
}
