/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.health.CheckResult;
import dev.baton.health.Criticality;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.health.HealthStatus;
import dev.baton.health.ShowDetails;
import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.KafkaSecurity;
import dev.baton.metrics.BackplaneChecks;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.CapturedOutput;
import dev.baton.testing.RecordingListener;
import dev.baton.testing.SpanTree;
import dev.baton.testing.TestCertificates;
import dev.baton.transport.Message;
import dev.baton.transport.Subscription;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka locked down the way production runs it: a {@code SASL_SSL} listener (TLS with a certificate
 * authority the test makes, PLAIN users) and the standard authorizer, with an agent account holding
 * only the ACLs of the README's permissions table. Everything works through the user's own client
 * configuration; no password, keystore password or JAAS line reaches a log, a span, a metric or a
 * health answer, not even from a failed handshake.
 */
class KafkaSecureTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  static final String AGENT_PASSWORD = "canary-kafka-agent-pw-8e2f";
  static final String NOCREATE_PASSWORD = "canary-kafka-nocreate-pw-19c4";
  static final String ADMIN_PASSWORD = "canary-kafka-admin-pw-a7d0";
  static final String STORE_PASSWORD = "canary-kafka-store-pw-3b6e";
  static final List<String> CANARIES =
      List.of(
          AGENT_PASSWORD, NOCREATE_PASSWORD, ADMIN_PASSWORD, STORE_PASSWORD, "PlainLoginModule");

  static Path dir;
  static TestCertificates certificates;
  static KafkaSecurity security;
  static KafkaBroker broker;
  static CapturedOutput output;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener events = new RecordingListener();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BackplaneMetrics metrics = BackplaneMetrics.builder().build();

  KafkaSecureTest() {
    metrics.bindTo(registry);
  }

  @BeforeAll
  static void startBroker() throws Exception {
    output = CapturedOutput.start();
    dir = Files.createTempDirectory("baton-kafka-secure-");
    certificates = TestCertificates.create(dir, STORE_PASSWORD);
    security =
        new KafkaSecurity(
            certificates.keyStore(),
            certificates.trustStore(),
            STORE_PASSWORD,
            ADMIN_PASSWORD,
            Map.of("agent", AGENT_PASSWORD, "nocreate", NOCREATE_PASSWORD));
    broker = KafkaBroker.start(security);
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("tasks.secure", 2, (short) 1),
                  new NewTopic("tasks.ask", 1, (short) 1),
                  new NewTopic("tasks.ask2", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      List<AclBinding> acls = new ArrayList<>();
      // The README's minimal agent account.
      allow(acls, "agent", ResourceType.TOPIC, "tasks.", AclOperation.READ, AclOperation.WRITE);
      allow(acls, "agent", ResourceType.GROUP, "workers", AclOperation.READ);
      allow(
          acls,
          "agent",
          ResourceType.TOPIC,
          "baton.replies.",
          AclOperation.READ,
          AclOperation.WRITE,
          AclOperation.CREATE);
      // The same, except that it may not create its reply topic.
      allow(acls, "nocreate", ResourceType.TOPIC, "tasks.", AclOperation.READ, AclOperation.WRITE);
      allow(
          acls,
          "nocreate",
          ResourceType.TOPIC,
          "baton.replies.",
          AclOperation.READ,
          AclOperation.WRITE);
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  static void allow(
      List<AclBinding> acls,
      String user,
      ResourceType type,
      String prefix,
      AclOperation... operations) {
    for (AclOperation operation : operations) {
      acls.add(
          new AclBinding(
              new ResourcePattern(type, prefix, PatternType.PREFIXED),
              new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    try {
      String captured = output.text();
      // The log of the whole class, failed handshakes and refusals included (the capture works:
      // the client's own report of the untrusted certificate is in it).
      assertThat(captured).contains("PKIX path building failed");
      for (String canary : CANARIES) {
        assertThat(captured).as("captured output").doesNotContain(canary);
      }
    } finally {
      output.close();
      if (broker != null) {
        broker.close();
      }
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    metrics.close();
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  static Map<String, Object> config(String user, String password) {
    Map<String, Object> config = new HashMap<>(security.clientConfig(user, password));
    config.put("bootstrap.servers", broker.bootstrapServers());
    return config;
  }

  private KafkaBaton agent(String name, Map<String, Object> config, String replyTopic) {
    KafkaBaton.Builder builder =
        KafkaBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName(name)
                    .addListener(events)
                    .addListener(metrics)
                    .build(),
                config)
            .setPollTimeout(Duration.ofMillis(100))
            .setBacklogInterval(Duration.ofMillis(200));
    if (replyTopic != null) {
      builder.setReplyTopic(replyTopic);
    }
    return closing(builder.build());
  }

  @Test
  void everyFeatureWorksOverSaslSslWithTheMinimalAcls() throws Exception {
    Map<String, Object> config = config("agent", AGENT_PASSWORD);
    KafkaBaton worker = agent("worker", config, null);
    KafkaBaton asker = agent("asker", config, "baton.replies.asker-1");
    List<String> handled = new CopyOnWriteArrayList<>();
    Subscription work =
        worker
            .subscriber()
            .subscribe("tasks.secure", "workers-a", m -> handled.add(m.payloadAsString()));
    Subscription answers =
        worker
            .subscriber()
            .respond(
                "tasks.ask",
                "workers-b",
                request -> ("re: " + request.payloadAsString()).getBytes());
    assertThat(((KafkaSubscription) work).awaitAssignment(Duration.ofSeconds(30))).isTrue();
    assertThat(((KafkaSubscription) answers).awaitAssignment(Duration.ofSeconds(30))).isTrue();

    asker.publisher().publish("tasks.secure", "over tls".getBytes(StandardCharsets.UTF_8));
    Message answer = ask(asker, "tasks.ask");

    assertThat(answer.payloadAsString()).isEqualTo("re: q");
    Await.until("handled", () -> handled.contains("over tls"));
    Await.until("spans", () -> consumerSpans().size() >= 2);
    SpanTree.assertEveryReceiveContinuesItsSend(OTEL.getSpans());
    // The lag probe needs nothing beyond the consumer's own ACLs: real numbers, not NaN.
    Await.until(
        "lag measured",
        () ->
            events.backlog.stream()
                .anyMatch(
                    b ->
                        b.group().equals("workers-a")
                            && !Double.isNaN(b.lagMessages())
                            && b.lagMessages() == 0.0));
    try (KafkaHealthCheck check =
        KafkaHealthCheck.builder(config).addRequiredTopics(List.of("tasks.secure")).build()) {
      CheckResult result = check.check();
      assertThat(result.status()).as(result.reason()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(result.details()).containsEntry("brokers", 1);
      assertThat(check.dependencies()).containsExactly("kafka://" + broker.bootstrapServers());
    }
    assertThat(events.permissions).isEmpty();
    // A required topic the principal may not DESCRIBE looks missing; the reason says both.
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(List.of(new NewTopic("hidden.topic", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaHealthCheck check =
        KafkaHealthCheck.builder(config).addRequiredTopics(List.of("hidden.topic")).build()) {
      CheckResult result = check.check();
      assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(result.reason())
          .isEqualTo("missing topics, or topics this principal may not DESCRIBE: hidden.topic");
    }
    assertNoCanaries();
  }

  /** Asks "q" on {@code topic} and waits for the answer. */
  private static Message ask(KafkaBaton asker, String topic) throws Exception {
    return asker
        .publisher()
        .request(topic, "q".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20))
        .get(30, TimeUnit.SECONDS);
  }

  private static List<SpanData> consumerSpans() {
    return OTEL.getSpans().stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
  }

  @Test
  void withoutCreateAReplyTopicMustExistBeforehandAndThenRequestsWork() throws Exception {
    Map<String, Object> config = config("nocreate", NOCREATE_PASSWORD);
    KafkaBaton asker = agent("nocreate-asker", config, "baton.replies.nocreate-1");

    assertThatThrownBy(
            () ->
                asker
                    .publisher()
                    .request(
                        "tasks.nobody", "q".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
                    .get(30, TimeUnit.SECONDS))
        .hasMessageContaining("baton.replies.nocreate-1")
        .hasMessageContaining("may not create it")
        .hasMessageContaining("CREATE");

    try (Admin admin = broker.admin()) {
      admin
          .createTopics(List.of(new NewTopic("baton.replies.nocreate-2", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    KafkaBaton precreated = agent("nocreate-asker-2", config, "baton.replies.nocreate-2");
    KafkaBaton responder = agent("responder", config("agent", AGENT_PASSWORD), null);
    Subscription answers =
        responder.subscriber().respond("tasks.ask2", "workers-c", request -> "yes".getBytes());
    assertThat(((KafkaSubscription) answers).awaitAssignment(Duration.ofSeconds(30))).isTrue();
    Message answer = ask(precreated, "tasks.ask2");
    assertThat(answer.payloadAsString()).isEqualTo("yes");
    assertNoCanaries();
  }

  @Test
  void aWrongPasswordOrAnUntrustedBrokerIsAFailedCheckThatNamesNoSecret() throws Exception {
    TestCertificates other = TestCertificates.create(dir.resolve("other"), STORE_PASSWORD);
    Map<String, Object> untrusted = config("agent", AGENT_PASSWORD);
    untrusted.put("ssl.truststore.location", other.trustStore().toString());
    HealthManager manager =
        closing(
            HealthManager.builder()
                .addCheck(
                    closing(
                        KafkaHealthCheck.builder(config("agent", "wrong-" + AGENT_PASSWORD))
                            .setName("wrong-password")
                            .build()))
                .addCheck(closing(KafkaHealthCheck.builder(untrusted).setName("untrusted").build()))
                .addCheck(BackplaneChecks.permissions(metrics), Criticality.NON_CRITICAL)
                .setInterval(Duration.ZERO)
                .setTimeout(Duration.ofSeconds(10))
                .build());
    HealthServer server =
        closing(
            HealthServer.builder(manager)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setShowDetails(ShowDetails.always())
                .start());
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body())
        .contains("wrong-password")
        .contains("untrusted")
        .containsIgnoringCase("authentication");
    for (String canary : CANARIES) {
      assertThat(health.body()).doesNotContain(canary);
    }
    assertNoCanaries();
  }

  /** Spans, listener events and the scrape hold no secret. */
  private void assertNoCanaries() {
    String spans = OTEL.getSpans().toString();
    String scrape = registry.scrape();
    String heard =
        events.connection.toString() + events.failures + events.permissions + events.backlog;
    for (String canary : CANARIES) {
      assertThat(spans).as("spans").doesNotContain(canary);
      assertThat(scrape).as("metrics").doesNotContain(canary);
      assertThat(heard).as("events").doesNotContain(canary);
    }
  }
}
