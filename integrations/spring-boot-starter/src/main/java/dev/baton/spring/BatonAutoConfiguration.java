/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.spring;

import dev.baton.metrics.AgentMetrics;
import dev.baton.metrics.BacklogLimits;
import dev.baton.metrics.BackplaneChecks;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.BaggagePolicy;
import dev.baton.propagation.Baton;
import dev.baton.propagation.Continuation;
import dev.baton.transport.Transport;
import dev.baton.transport.TransportListener;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.kafka.KafkaHealthCheck;
import dev.baton.transport.nats.NatsBaton;
import dev.baton.transport.nats.NatsHealthCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configures Baton in a Spring Boot 4 application. Every bean backs off when the application
 * defines its own of the same type (or, for the health indicators, the same name):
 *
 * <ul>
 *   <li>{@link BackplaneMetrics}, bound to the application's {@link MeterRegistry} when there is
 *       one, and a listener of the {@link Baton};
 *   <li>{@link Baton} from {@code baton.*} ({@link BatonProperties}) and the application's {@link
 *       OpenTelemetry} bean (else {@link GlobalOpenTelemetry}, the Java agent's when attached);
 *   <li>{@link NatsBaton} when the application has a jnats {@link Connection} bean (the connection
 *       stays the application's), with the indicator {@code batonNats};
 *   <li>{@link KafkaBaton} from {@code spring.kafka.*} when {@code spring.kafka.bootstrap-servers}
 *       is set (bootstrap servers, security, {@code spring.kafka.properties}, the producer and
 *       consumer sections), with {@code batonKafka};
 *   <li>{@link BatonHeartbeats} for the agent over NATS (else Kafka), with {@code batonHeartbeat}
 *       (liveness: this process publishes) and {@code batonAgents} (readiness: its heartbeat comes
 *       back over the bus; every agent heard as a detail);
 *   <li>{@code batonBacklog}: consumer lag against {@link BacklogLimits#defaults()};
 *   <li>the {@code readiness} group gets {@code batonNats}, {@code batonKafka}, {@code
 *       batonBacklog} and {@code batonAgents}, the {@code liveness} group {@code batonHeartbeat}
 *       (with Actuator's probes on; {@code baton.health.probes=false} leaves the groups alone).
 * </ul>
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@EnableConfigurationProperties(BatonProperties.class)
public class BatonAutoConfiguration {

  /**
   * {@return the backplane metrics, on the application's registry when it has one}
   *
   * @param registry the application's meter registry, if it has one
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public BackplaneMetrics batonBackplaneMetrics(ObjectProvider<MeterRegistry> registry) {
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    registry.ifAvailable(metrics::bindTo);
    return metrics;
  }

  /**
   * {@return the application's agent}
   *
   * @param properties the {@code baton.*} properties
   * @param environment the application's environment, for {@code spring.application.name}
   * @param openTelemetry the application's OpenTelemetry, else the global one
   * @param metrics the backplane metrics, when metrics are on
   * @param listeners further observers of the transports, each added to the agent
   */
  @Bean
  @ConditionalOnMissingBean
  public Baton baton(
      BatonProperties properties,
      Environment environment,
      ObjectProvider<OpenTelemetry> openTelemetry,
      ObjectProvider<BackplaneMetrics> metrics,
      ObjectProvider<TransportListener> listeners) {
    Baton.Builder builder =
        Baton.builder(openTelemetry.getIfAvailable(GlobalOpenTelemetry::get))
            .setHopLimit(properties.getHopLimit())
            .setTraceHousekeeping(properties.isTraceHousekeeping())
            .setHandlerCost(properties.getHandlerCost())
            .setConversations(properties.getConversations());
    String name = properties.getAgent().getName();
    if (name == null) {
      name = environment.getProperty("spring.application.name", "agent");
    }
    builder.setAgentName(name);
    if (properties.getAgent().getId() != null) {
      builder.setAgentId(properties.getAgent().getId());
    }
    for (Map.Entry<String, Continuation> rule : properties.getContinuations().entrySet()) {
      builder.addContinuation(rule.getKey(), rule.getValue());
    }
    properties.getHousekeeping().forEach(builder::addHousekeeping);
    BatonProperties.Baggage baggage = properties.getBaggage();
    if (!baggage.getAllowedKeys().isEmpty()
        || baggage.getMaxBytes() != null
        || baggage.getMaxMembers() != null) {
      BaggagePolicy.Builder policy = BaggagePolicy.builder();
      if (!baggage.getAllowedKeys().isEmpty()) {
        policy.addAllowedKeys(baggage.getAllowedKeys());
      }
      if (baggage.getMaxBytes() != null) {
        policy.setMaxBytes(baggage.getMaxBytes());
      }
      if (baggage.getMaxMembers() != null) {
        policy.setMaxMembers(baggage.getMaxMembers());
      }
      builder.setBaggagePolicy(policy.build());
    }
    metrics.ifAvailable(builder::addListener);
    listeners
        .orderedStream()
        .filter(l -> !(l instanceof BackplaneMetrics))
        .forEach(builder::addListener);
    return builder.build();
  }

  /**
   * {@code batonBacklog}: consumer lag against the default limits.
   *
   * @param metrics the backplane metrics the indicator reads
   * @param properties the {@code baton.*} properties
   * @return the {@code batonBacklog} indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "batonBacklogHealthIndicator")
  @ConditionalOnBean(BackplaneMetrics.class)
  public HealthIndicator batonBacklogHealthIndicator(
      BackplaneMetrics metrics, BatonProperties properties) {
    return new CheckIndicator(
        BackplaneChecks.backlog(metrics, BacklogLimits.defaults()),
        properties.getHealth().getTimeout());
  }

  /**
   * {@code batonHeartbeat}: liveness.
   *
   * @param heartbeats the agent's heartbeats
   * @return the {@code batonHeartbeat} indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "batonHeartbeatHealthIndicator")
  @ConditionalOnBean(BatonHeartbeats.class)
  public HealthIndicator batonHeartbeatHealthIndicator(BatonHeartbeats heartbeats) {
    return heartbeats::liveness;
  }

  /**
   * {@code batonAgents}: readiness, and every agent heard.
   *
   * @param heartbeats the agent's heartbeats, and the monitor of every agent's
   * @return the {@code batonAgents} indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "batonAgentsHealthIndicator")
  @ConditionalOnBean(BatonHeartbeats.class)
  public HealthIndicator batonAgentsHealthIndicator(BatonHeartbeats heartbeats) {
    return heartbeats::agents;
  }

  /**
   * The agent's heartbeats over {@code transport}. Declared in {@link Nats} and {@link Kafka}, so
   * that neither transport's classes need be on the class path for the other's; NATS is configured
   * first and wins when the application has both.
   */
  static BatonHeartbeats heartbeats(Transport transport, BatonProperties properties) {
    return new BatonHeartbeats(transport, properties.getHeartbeat().getInterval());
  }

  /**
   * {@return the agents' lifecycle meters ({@code baton_agents{state}}, state ages, times, start
   * counts) from the heartbeats this application hears; Spring Boot binds it to the {@code
   * MeterRegistry}}
   *
   * @param heartbeats the heartbeats whose monitor the meters read
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBean(BatonHeartbeats.class)
  public AgentMetrics batonAgentMetrics(BatonHeartbeats heartbeats) {
    return AgentMetrics.create(heartbeats.monitor());
  }

  /** Baton's indicators in Actuator's readiness and liveness groups. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SecurityContext")
  @ConditionalOnProperty(name = "baton.health.probes", matchIfMissing = true)
  static class Probes {
    @Bean
    static BeanPostProcessor batonHealthGroups() {
      return new ProbeGroups();
    }
  }

  /** NATS, when the application has a jnats {@link Connection} bean. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({NatsBaton.class, Connection.class})
  @ConditionalOnBean(Connection.class)
  @ConditionalOnProperty(name = "baton.nats.enabled", matchIfMissing = true)
  static class Nats {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    NatsBaton natsBaton(Baton baton, Connection connection) {
      return NatsBaton.create(baton, connection);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "baton.heartbeat.enabled", matchIfMissing = true)
    BatonHeartbeats batonHeartbeats(NatsBaton nats, BatonProperties properties) {
      return heartbeats(nats, properties);
    }

    @Bean
    @ConditionalOnMissingBean(name = "batonNatsHealthIndicator")
    HealthIndicator batonNatsHealthIndicator(Connection connection, BatonProperties properties) {
      return new CheckIndicator(
          NatsHealthCheck.builder(connection).build(), properties.getHealth().getTimeout());
    }
  }

  /** Kafka, from {@code spring.kafka.*}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({KafkaBaton.class, KafkaProperties.class})
  @ConditionalOnBean(KafkaProperties.class)
  @ConditionalOnProperty(name = "baton.kafka.enabled", matchIfMissing = true)
  // Spring Kafka's default (localhost:9092) is not a sign the application uses Kafka.
  @ConditionalOnProperty(name = "spring.kafka.bootstrap-servers")
  static class Kafka {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KafkaBaton kafkaBaton(Baton baton, KafkaProperties kafka) {
      Map<String, Object> producer = new HashMap<>(kafka.buildProducerProperties());
      producer.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
      producer.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
      Map<String, Object> consumer = new HashMap<>(kafka.buildConsumerProperties());
      consumer.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
      consumer.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
      consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
      consumer.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
      consumer.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
      return KafkaBaton.builder(baton, kafka.buildAdminProperties())
          .setProducerConfig(producer)
          .setConsumerConfig(consumer)
          .build();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "baton.heartbeat.enabled", matchIfMissing = true)
    BatonHeartbeats batonHeartbeats(KafkaBaton kafka, BatonProperties properties) {
      return heartbeats(kafka, properties);
    }

    @Bean
    @ConditionalOnMissingBean(name = "batonKafkaHealthIndicator")
    HealthIndicator batonKafkaHealthIndicator(KafkaProperties kafka, BatonProperties properties) {
      return new CheckIndicator(
          KafkaHealthCheck.builder(kafka.buildAdminProperties()).build(),
          properties.getHealth().getTimeout());
    }
  }
}
