/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.propagation.Continuation;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.HandlerCost;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.SharedKafka;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.nats.NatsBaton;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration in {@link ApplicationContextRunner}s against a real nats-server and a real
 * Kafka broker: what is made from which beans and properties, that it works end to end, and that
 * every bean backs off for the application's own.
 */
class BatonAutoConfigurationTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BatonAutoConfiguration.class))
          // The extension's SDK serves every test: the context must not close it.
          .withBean(OpenTelemetry.class, OTEL::getOpenTelemetry, d -> d.setDestroyMethodName(""))
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withPropertyValues("baton.heartbeat.interval=200ms");

  /** The application's own jnats connection. */
  @Configuration(proxyBeanMethods = false)
  static class NatsConnection {
    @Bean(destroyMethod = "close")
    Connection natsConnection() throws Exception {
      return Nats.connect(NATS.url());
    }
  }

  private static Status status(AssertableApplicationContext context, String indicator) {
    return context
        .getBean(indicator + "HealthIndicator", HealthIndicator.class)
        .health()
        .getStatus();
  }

  @Test
  void batonIsBuiltFromTheBatonProperties() {
    runner
        .withPropertyValues(
            "spring.application.name=billing",
            "baton.agent.id=billing-7",
            "baton.hop-limit=7",
            "baton.continuations.[audit.>]=new-trace-with-link",
            "baton.housekeeping=status.*.ping",
            "baton.baggage.allowed-keys=task,tenant",
            "baton.baggage.max-bytes=512",
            "baton.handler-cost=allocations-and-cpu",
            "baton.conversations=mint")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Baton.class);
              Baton baton = context.getBean(Baton.class);
              assertThat(baton.handlerCost()).isEqualTo(HandlerCost.ALLOCATIONS_AND_CPU);
              assertThat(baton.agentName()).isEqualTo("billing");
              assertThat(baton.agentId()).isEqualTo("billing-7");
              assertThat(baton.hopLimit()).isEqualTo(7);
              assertThat(baton.conversations()).isEqualTo(ConversationMode.MINT);
              assertThat(baton.continuationFor("audit.orders"))
                  .isEqualTo(Continuation.NEW_TRACE_WITH_LINK);
              assertThat(baton.continuationFor("orders")).isEqualTo(Continuation.CONTINUE);
              assertThat(baton.isHousekeeping("status.a.ping")).isTrue();
              assertThat(baton.isHousekeeping("baton.heartbeats")).isTrue();
              assertThat(baton.baggagePolicy().allows("tenant")).isTrue();
              assertThat(baton.baggagePolicy().allows("secret")).isFalse();
              assertThat(baton.baggagePolicy().maxBytes()).isEqualTo(512);
              assertThat(context).hasSingleBean(BackplaneMetrics.class);
              // No broker client bean: no transport, no heartbeats.
              assertThat(context)
                  .doesNotHaveBean(NatsBaton.class)
                  .doesNotHaveBean(KafkaBaton.class)
                  .doesNotHaveBean(BatonHeartbeats.class);
            });
  }

  @Test
  void aBadPropertySaysWhatToChange() {
    runner
        .withPropertyValues("baton.hop-limit=0")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("hopLimit must be at least 1"));
  }

  @Test
  void aNatsConnectionBeanGetsATracedNatsBatonMetricsHeartbeatsAndIndicators() {
    runner
        .withUserConfiguration(NatsConnection.class)
        .withPropertyValues("baton.agent.name=planner")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(NatsBaton.class);
              NatsBaton nats = context.getBean(NatsBaton.class);
              CompletableFuture<Message> got = new CompletableFuture<>();
              nats.subscriber()
                  .subscribe("spring.orders", got::complete)
                  .awaitReady(Duration.ofSeconds(10));

              nats.publisher().publish(OutboundMessage.of("spring.orders", "order 1"));

              assertThat(got.get(10, TimeUnit.SECONDS).payloadAsString()).isEqualTo("order 1");
              Await.until(
                  "send and process spans",
                  () ->
                      OTEL.getSpans().stream().anyMatch(s -> s.getKind() == SpanKind.CONSUMER)
                          && OTEL.getSpans().stream()
                              .anyMatch(s -> s.getKind() == SpanKind.PRODUCER));
              assertThat(OTEL.getSpans())
                  .as("heartbeats make no spans")
                  .noneMatch(s -> s.getName().contains("baton.heartbeats"));
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              Await.until(
                  "sent counted on the application's registry",
                  () ->
                      registry
                              .find("messaging.client.sent.messages")
                              .tag("messaging.destination.name", "spring.orders")
                              .counter()
                          != null);
              assertThat(status(context, "batonNats")).isEqualTo(Status.UP);
              assertThat(status(context, "batonHeartbeat")).isEqualTo(Status.UP);
              Await.until(
                  "this agent's heartbeat came back over NATS",
                  () -> status(context, "batonAgents").equals(Status.UP));
              assertThat(status(context, "batonBacklog")).isEqualTo(Status.UP);
            });
  }

  @Test
  void closingTheContextStopsBatonButLeavesTheApplicationsConnection() throws Exception {
    Connection[] connection = new Connection[1];
    runner
        .withBean(
            "appConnection",
            Connection.class,
            () -> {
              try {
                connection[0] = Nats.connect(NATS.url());
                return connection[0];
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            d -> d.setDestroyMethodName(""))
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(NatsBaton.class)
                  .hasSingleBean(BatonHeartbeats.class);
              BatonHeartbeats heartbeats = context.getBean(BatonHeartbeats.class);
              context.close();
              assertThat(heartbeats.liveness().getStatus()).isEqualTo(Status.DOWN);
            });
    assertThat(connection[0].getStatus()).isEqualTo(Connection.Status.CONNECTED);
    connection[0].close();
  }

  @Test
  void kafkaComesFromSpringKafkaProperties() {
    runner
        .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class))
        .withPropertyValues(
            "baton.agent.name=kafka-agent",
            "spring.kafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
            "spring.kafka.producer.acks=all",
            "spring.kafka.consumer.max-poll-records=50")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(KafkaBaton.class);
              KafkaBaton kafka = context.getBean(KafkaBaton.class);
              String topic = "spring-" + System.nanoTime();
              kafka
                  .publisher()
                  .publish(OutboundMessage.of(topic, "record 1"))
                  .get(30, TimeUnit.SECONDS);
              CompletableFuture<Message> got = new CompletableFuture<>();

              kafka.subscriber().subscribe(topic, "spring-group", got::complete);

              assertThat(got.get(30, TimeUnit.SECONDS).payloadAsString()).isEqualTo("record 1");
              assertThat(status(context, "batonKafka")).isEqualTo(Status.UP);
              assertThat(context).hasSingleBean(BatonHeartbeats.class);
              Await.until(
                  "this agent's heartbeat came back over Kafka",
                  Duration.ofSeconds(60),
                  () -> status(context, "batonAgents").equals(Status.UP));
            });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    Baton own = Baton.builder(OTEL.getOpenTelemetry()).setAgentName("mine").build();
    BackplaneMetrics ownMetrics = BackplaneMetrics.builder().build();
    HealthIndicator ownNatsHealth = () -> Health.outOfService().build();
    runner
        .withUserConfiguration(NatsConnection.class)
        .withBean(Baton.class, () -> own)
        .withBean(BackplaneMetrics.class, () -> ownMetrics)
        .withBean("batonNatsHealthIndicator", HealthIndicator.class, () -> ownNatsHealth)
        .run(
            context -> {
              assertThat(context.getBean(Baton.class)).isSameAs(own);
              assertThat(context.getBean(BackplaneMetrics.class)).isSameAs(ownMetrics);
              assertThat(status(context, "batonNats")).isEqualTo(Status.OUT_OF_SERVICE);
              context
                  .getBean(NatsBaton.class)
                  .publisher()
                  .publish(OutboundMessage.of("spring.mine", "x"));
              Await.until(
                  "the send span is the application's agent's",
                  () ->
                      OTEL.getSpans().stream()
                          .anyMatch(
                              sp ->
                                  sp.getName().equals("send spring.mine")
                                      && "mine"
                                          .equals(
                                              sp.getAttributes()
                                                  .get(
                                                      AttributeKey.stringKey(
                                                          "gen_ai.agent.name")))));
            });
  }

  @Test
  void propertiesSwitchTheTransportsAndHeartbeatsOff() {
    runner
        .withUserConfiguration(NatsConnection.class)
        .withPropertyValues("baton.heartbeat.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(NatsBaton.class)
                    .doesNotHaveBean(BatonHeartbeats.class)
                    .doesNotHaveBean("batonHeartbeatHealthIndicator"));
    runner
        .withUserConfiguration(NatsConnection.class)
        .withPropertyValues("baton.nats.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(NatsBaton.class));
  }

  /** The runner with Actuator's health auto-configuration, sorted together with Baton's. */
  private static ApplicationContextRunner withActuatorHealth() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                BatonAutoConfiguration.class,
                org.springframework.boot.health.autoconfigure.actuate.endpoint
                    .HealthEndpointAutoConfiguration.class,
                org.springframework.boot.health.autoconfigure.actuate.endpoint
                    .AvailabilityProbesAutoConfiguration.class,
                org.springframework.boot.health.autoconfigure.registry
                    .HealthContributorRegistryAutoConfiguration.class,
                org.springframework.boot.autoconfigure.availability
                    .ApplicationAvailabilityAutoConfiguration.class))
        .withBean(OpenTelemetry.class, OTEL::getOpenTelemetry, d -> d.setDestroyMethodName(""));
  }

  @Test
  void batonsIndicatorsJoinSpringBootsOwnProbeGroups() {
    withActuatorHealth()
        .withUserConfiguration(NatsConnection.class)
        .withPropertyValues("management.endpoint.health.probes.enabled=true")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
              assertThat(groups.getNames()).contains("readiness", "liveness");
              assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
              for (String member :
                  List.of("batonNats", "batonKafka", "batonBacklog", "batonAgents")) {
                assertThat(groups.get("readiness").isMember(member)).as(member).isTrue();
              }
              assertThat(groups.get("readiness").isMember("batonHeartbeat")).isFalse();
              assertThat(groups.get("liveness").isMember("livenessState")).isTrue();
              assertThat(groups.get("liveness").isMember("batonHeartbeat")).isTrue();
              assertThat(groups.get("liveness").isMember("batonNats"))
                  .as("a broker outage must not restart the application")
                  .isFalse();
            });
    withActuatorHealth()
        .withPropertyValues(
            "management.endpoint.health.probes.enabled=true", "baton.health.probes=false")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(
                                org.springframework.boot.health.actuate.endpoint
                                    .HealthEndpointGroups.class)
                            .get("readiness")
                            .isMember("batonBacklog"))
                    .isFalse());
  }
}
