/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthStatus;
import dev.baton.launchers.NatsServer;
import dev.baton.metrics.BackplaneChecks;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.CapturedOutput;
import dev.baton.testing.Meters;
import dev.baton.testing.RecordingListener;
import dev.baton.testing.SpanTree;
import dev.baton.testing.TestCertificates;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * NATS locked down the way production runs it: TLS with a certificate authority the test makes,
 * users with passwords (and a token on a second server), and accounts that may use only their own
 * subjects and the JetStream API calls the README's permissions table lists. Everything works
 * through the user's own connection options; a missing permission turns off only the feature it
 * serves, once, without a tight retry loop.
 */
class NatsSecureTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  static final String AGENT_PASSWORD = "canary-agent-pw-5f1d";
  static final String BLIND_PASSWORD = "canary-blind-pw-77aa";
  static final String ADMIN_PASSWORD = "canary-admin-pw-0c3e";
  static final String STORE_PASSWORD = "canary-store-pw-91b2";
  static final String TOKEN = "canary-token-e4d8c0b7a1";

  /** The subjects of the README's minimal agent account, for stream ORDERS and core tasks.>. */
  static final String AGENT_PERMISSIONS =
      """
      permissions: {
        publish: { allow: ["tasks.>", "orders.>", "$JS.API.INFO", "$JS.API.STREAM.INFO.ORDERS",
                           "$JS.API.CONSUMER.CREATE.ORDERS.>", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.>",
                           "$JS.API.CONSUMER.INFO.ORDERS.>", "$JS.API.CONSUMER.MSG.NEXT.ORDERS.>",
                           "$JS.API.STREAM.MSG.GET.ORDERS", "$JS.API.DIRECT.GET.ORDERS.>",
                           "$JS.ACK.ORDERS.>"] }
        subscribe: { allow: ["tasks.>", "_INBOX.>"] }
        allow_responses: true
      }""";

  /** The same without the calls behind the backlog probe and the JetStream health check. */
  static final String BLIND_PERMISSIONS =
      AGENT_PERMISSIONS
          .replace("\"$JS.API.INFO\", ", "")
          .replace("\"$JS.API.CONSUMER.INFO.ORDERS.>\",", "")
          .replace("\"$JS.API.STREAM.MSG.GET.ORDERS\", \"$JS.API.DIRECT.GET.ORDERS.>\",\n", "\n");

  /** The agent's account without the message-get subjects behind the lag in seconds. */
  static final String AGELESS_PERMISSIONS =
      AGENT_PERMISSIONS.replace(
          "\"$JS.API.STREAM.MSG.GET.ORDERS\", \"$JS.API.DIRECT.GET.ORDERS.>\",\n", "\n");

  static final String AGELESS_PASSWORD = "canary-ageless-pw-2d9c";

  static final List<String> CANARIES =
      List.of(
          AGENT_PASSWORD, BLIND_PASSWORD, AGELESS_PASSWORD, ADMIN_PASSWORD, STORE_PASSWORD, TOKEN);

  static CapturedOutput output;
  static TestCertificates certificates;
  static NatsServer server;
  static Path dir;
  static String url;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BackplaneMetrics metrics = BackplaneMetrics.builder().build();
  private final Meters meters = new Meters(registry);
  private final RecordingListener events = new RecordingListener();

  NatsSecureTest() {
    metrics.bindTo(registry);
  }

  @BeforeAll
  static void startServer() throws Exception {
    output = CapturedOutput.start();
    dir = Files.createTempDirectory("baton-nats-secure-");
    certificates = TestCertificates.create(dir, STORE_PASSWORD);
    server =
        NatsServer.start(
            tls()
                + "authorization {\n  users = [\n"
                + "    { user: admin, password: \""
                + ADMIN_PASSWORD
                + "\" }\n"
                + "    { user: agent, password: \""
                + AGENT_PASSWORD
                + "\", "
                + AGENT_PERMISSIONS
                + " }\n"
                + "    { user: blind, password: \""
                + BLIND_PASSWORD
                + "\", "
                + BLIND_PERMISSIONS
                + " }\n"
                + "    { user: ageless, password: \""
                + AGELESS_PASSWORD
                + "\", "
                + AGELESS_PERMISSIONS
                + " }\n  ]\n}\n");
    url = tlsUrl(server);
    addOrders(url, StorageType.Memory);
  }

  static String tlsUrl(NatsServer server) {
    return "tls://127.0.0.1:" + server.url().substring(server.url().lastIndexOf(':') + 1);
  }

  /** The administrator makes the stream ORDERS on {@code serverUrl}. */
  static void addOrders(String serverUrl, StorageType storage) throws Exception {
    try (Connection admin =
        Nats.connect(
            options(certificates.clientContext(), serverUrl)
                .userInfo("admin", ADMIN_PASSWORD)
                .build())) {
      admin
          .jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("ORDERS")
                  .subjects("orders.>")
                  .storageType(storage)
                  .build());
    }
  }

  static String tls() {
    return "tls {\n  cert_file: \""
        + certificates.serverCertPem()
        + "\"\n  key_file: \""
        + certificates.serverKeyPem()
        + "\"\n  timeout: 2\n}\n";
  }

  @AfterAll
  static void stopServer() throws Exception {
    try {
      String captured = output.text();
      // Everything the class logged, refusals and failed handshakes included (the capture works:
      // Baton's WARN about the refused probe is in it).
      assertThat(captured).contains("not permitted: backlog");
      for (String canary : CANARIES) {
        assertThat(captured).as("captured output").doesNotContain(canary);
      }
    } finally {
      output.close();
      if (server != null) {
        server.close();
      }
    }
  }

  /** Spans, listener events, the scrape and health results hold no secret. */
  private void assertNoCanaries(String... more) {
    String all =
        OTEL.getSpans().toString()
            + registry.scrape()
            + events.connection
            + events.failures
            + events.permissions
            + String.join(" ", more);
    for (String canary : CANARIES) {
      assertThat(all).doesNotContain(canary);
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    metrics.close();
  }

  static Options.Builder options(SSLContext tls) {
    return options(tls, url);
  }

  /** Options for one server (jnats' {@code server(...)} adds to a list: call it once). */
  static Options.Builder options(SSLContext tls, String serverUrl) {
    return Options.builder()
        .server(serverUrl)
        .sslContext(tls)
        .connectionTimeout(Duration.ofSeconds(3))
        .maxReconnects(0)
        .errorListener(NatsErrorListener.create());
  }

  static Connection connect(String user, String password) throws Exception {
    return Nats.connect(options(certificates.clientContext()).userInfo(user, password).build());
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private NatsBaton agent(Connection connection) {
    return closing(
        NatsBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName("secure-agent")
                    .addListener(metrics)
                    .addListener(events)
                    .build(),
                connection)
            .setBacklogInterval(Duration.ofMillis(50))
            .build());
  }

  @Test
  void everyFeatureWorksOverTlsWithTheMinimalAccount() throws Exception {
    Connection connection = closing(connect("agent", AGENT_PASSWORD));
    NatsBaton bus = agent(connection);
    List<String> handled = new CopyOnWriteArrayList<>();
    bus.subscriber().subscribe("tasks.secure", m -> handled.add(m.payloadAsString()));
    bus.subscriber()
        .respond("tasks.ask", null, request -> ("re: " + request.payloadAsString()).getBytes());
    bus.jetStreamSubscriber("ORDERS")
        .subscribe("orders.new", "workers", m -> handled.add(m.payloadAsString()));
    connection.flush(Duration.ofSeconds(5));

    bus.publisher().publish("tasks.secure", "core".getBytes(StandardCharsets.UTF_8));
    Message answer =
        bus.publisher()
            .request("tasks.ask", "q".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);
    bus.jetStreamPublisher()
        .publish(OutboundMessage.of("orders.new", "stored".getBytes(StandardCharsets.UTF_8)))
        .get(10, TimeUnit.SECONDS);

    assertThat(answer.payloadAsString()).isEqualTo("re: q");
    Await.until("both handled", () -> handled.containsAll(List.of("core", "stored")));
    // One trace per hop: each process span is the child of its send span.
    Await.until("spans", () -> processSpans().size() >= 3);
    SpanTree.assertEveryReceiveContinuesItsSend(OTEL.getSpans());
    // The backlog probe measures through the same account: a real 0, not NaN.
    Await.until(
        "lag measured",
        () ->
            events.backlog.stream()
                .anyMatch(b -> b.group().equals("workers") && b.lagMessages() == 0.0));
    NatsHealthCheck check = NatsHealthCheck.builder(connection).setJetStream(true).build();
    CheckResult result = check.check();
    assertThat(result.status()).as(result.reason()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.details()).containsEntry("jetstream", "reachable");
    assertThat(events.permissions).isEmpty();
    assertThat(BackplaneChecks.permissions(metrics).check().status())
        .isEqualTo(HealthStatus.HEALTHY);
    assertNoCanaries(result.toString(), check.dependencies().toString());
  }

  private static List<SpanData> processSpans() {
    return OTEL.getSpans().stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
  }

  @Test
  void aTokenServerWorksTheSameWay() throws Exception {
    try (NatsServer tokenServer =
        NatsServer.start(tls() + "authorization { token: \"" + TOKEN + "\" }\n")) {
      String tokenUrl = tlsUrl(tokenServer);
      Connection connection =
          closing(
              Nats.connect(
                  options(certificates.clientContext(), tokenUrl)
                      .token(TOKEN.toCharArray())
                      .build()));
      NatsBaton bus = agent(connection);
      List<String> handled = new CopyOnWriteArrayList<>();
      bus.subscriber().subscribe("tasks.token", m -> handled.add(m.payloadAsString()));
      connection.flush(Duration.ofSeconds(5));
      bus.publisher().publish("tasks.token", "hi".getBytes(StandardCharsets.UTF_8));

      Await.until("handled", () -> handled.contains("hi"));
      CheckResult result = NatsHealthCheck.builder(connection).setJetStream(true).build().check();
      assertThat(result.status()).as(result.reason()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(NatsHealthCheck.builder(connection).build().dependencies().toString())
          .doesNotContain(TOKEN);
    }
  }

  @Test
  void withoutTheProbesPermissionsMessagingGoesOnAndEachRefusalIsReportedOnce() throws Exception {
    List<String> violations = new CopyOnWriteArrayList<>();
    Connection connection =
        closing(
            Nats.connect(
                options(certificates.clientContext())
                    .userInfo("blind", BLIND_PASSWORD)
                    .errorListener(
                        NatsErrorListener.wrapping(
                            new ErrorListener() {
                              @Override
                              public void errorOccurred(Connection conn, String error) {
                                if (error.contains("Permissions Violation")) {
                                  violations.add(error);
                                }
                              }
                            }))
                    .build()));
    NatsBaton bus = agent(connection);
    List<String> handled = new CopyOnWriteArrayList<>();
    bus.jetStreamSubscriber("ORDERS")
        .subscribe("orders.blind", "blind-workers", m -> handled.add(m.payloadAsString()));
    publishStored(bus, "orders.blind", 20);

    Await.until("messaging goes on", () -> handled.size() == 20);
    Await.until(
        "the probe's refusal reported",
        () -> meters.counter("baton.permission.denials", "feature", "backlog") == 1.0);
    // Twenty more probe rounds of that consumer: no second report, no tight loop of refused
    // requests.
    long roundsBefore =
        events.backlog.stream().filter(b -> b.group().equals("blind-workers")).count();
    Await.until(
        "twenty more probe rounds",
        () ->
            events.backlog.stream().filter(b -> b.group().equals("blind-workers")).count()
                >= roundsBefore + 20);
    assertThat(meters.counter("baton.permission.denials", "feature", "backlog")).isEqualTo(1.0);
    assertThat(violations).as("refused requests").hasSizeLessThanOrEqualTo(2);
    assertThat(events.permissions)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.denied()).isTrue();
              assertThat(p.feature()).isEqualTo("backlog");
              assertThat(p.target()).isEqualTo("stream ORDERS consumer blind-workers");
              assertThat(p.detail()).contains("$JS.API.CONSUMER.INFO.ORDERS.blind-workers");
            });
    assertThat(events.backlog)
        .filteredOn(b -> b.group().equals("blind-workers"))
        .isNotEmpty()
        .allSatisfy(b -> assertThat(b.lagMessages()).isNaN());
    assertThat(meters.gauge("baton.consumer.lag", "messaging.consumer.group.name", "blind-workers"))
        .isNaN();
    CheckResult permissions = BackplaneChecks.permissions(metrics).check();
    assertThat(permissions.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(permissions.reason())
        .contains("not permitted: backlog for stream ORDERS consumer blind-workers (nats)")
        .contains("$JS.API.CONSUMER.INFO.ORDERS.blind-workers");

    // The JetStream health check: DEGRADED with what is refused, and not asked again at once.
    NatsHealthCheck check = NatsHealthCheck.builder(connection).setJetStream(true).build();
    int before = violations.size();
    CheckResult first = check.check();
    long started = System.nanoTime();
    CheckResult second = check.check();
    long secondMillis = (System.nanoTime() - started) / 1_000_000;
    assertThat(first.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(first.reason()).contains("not permitted").contains("$JS.API.INFO");
    assertThat(second.reason()).isEqualTo(first.reason());
    assertThat(secondMillis)
        .as("the second check does not wait for a refused call")
        .isLessThan(500);
    assertThat(violations.subList(before, violations.size()))
        .filteredOn(v -> v.contains("$JS.API.INFO"))
        .hasSize(1);
    // Core messaging on the same connection is untouched.
    bus.publisher().publish("tasks.after", "still".getBytes(StandardCharsets.UTF_8));
    assertThat(connection.getStatus()).isEqualTo(Connection.Status.CONNECTED);
    assertNoCanaries(first.toString(), permissions.toString());
  }

  @Test
  void aWrongPasswordOrAnUntrustedCertificateFailsTheConnectWithoutBaton() throws Exception {
    assertThatThrownBy(() -> connect("agent", "wrong-" + AGENT_PASSWORD))
        .hasMessageNotContaining(AGENT_PASSWORD);
    TestCertificates other = TestCertificates.create(dir.resolve("other"), STORE_PASSWORD);
    assertThatThrownBy(
            () ->
                Nats.connect(
                    options(other.clientContext()).userInfo("agent", AGENT_PASSWORD).build()))
        .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain(AGENT_PASSWORD));
    // Credentials in the URL: the check's dependencies and details show host and port only.
    Connection inUrl =
        closing(
            Nats.connect(
                options(
                        certificates.clientContext(),
                        url.replace("tls://", "tls://agent:" + AGENT_PASSWORD + "@"))
                    .build()));
    NatsHealthCheck check = NatsHealthCheck.builder(inUrl).setJetStream(true).build();
    assertThat(check.check().status()).isEqualTo(HealthStatus.HEALTHY);
    assertNoCanaries(check.check().toString(), check.dependencies().toString());
  }

  @Test
  @Tag("scenario") // a restart of its own broker with other permissions
  void aPermissionGrantedLaterIsNoticedAndTheGaugesReadAgain() throws Exception {
    String users =
        "authorization {\n  users = [\n    { user: admin, password: \""
            + ADMIN_PASSWORD
            + "\" }\n    { user: blind, password: \""
            + BLIND_PASSWORD
            + "\", %s }\n  ]\n}\n";
    try (NatsServer own = NatsServer.start(tls() + String.format(users, BLIND_PERMISSIONS))) {
      String ownUrl = tlsUrl(own);
      addOrders(ownUrl, StorageType.File); // kept across the restart
      Connection connection =
          closing(
              Nats.connect(
                  options(certificates.clientContext(), ownUrl)
                      .userInfo("blind", BLIND_PASSWORD)
                      .maxReconnects(-1)
                      .reconnectWait(Duration.ofMillis(100))
                      .build()));
      NatsBaton bus = agent(connection);
      bus.jetStreamSubscriber("ORDERS").subscribe("orders.later", "later-workers", m -> {});
      Await.until(
          "refused", () -> meters.counter("baton.permission.denials", "feature", "backlog") == 1.0);

      own.kill();
      own.restart(tls() + String.format(users, AGENT_PERMISSIONS));

      // Reconnected, and asked again after 100 intervals of 50 ms: permitted, and the lag is a
      // number again.
      try {
        Await.until(
            "permitted again",
            Duration.ofSeconds(30),
            () -> events.permissions.stream().anyMatch(p -> !p.denied()));
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + "; events: "
                + events.permissions
                + events.failures
                + " backlog reports "
                + events.backlog.size()
                + "; server log:\n"
                + Files.readString(own.directory().resolve("server.log")),
            e);
      }
      Await.until(
          "the gauge reads again",
          () ->
              meters.gauge("baton.consumer.lag", "messaging.consumer.group.name", "later-workers")
                  == 0.0);
      assertThat(BackplaneChecks.permissions(metrics).check().status())
          .isEqualTo(HealthStatus.HEALTHY);
      assertThat(meters.counter("baton.permission.denials", "feature", "backlog")).isEqualTo(1.0);
    }
  }

  @Test
  void withoutBatonsErrorListenerARefusalIsStillRecognisedFromTheClientsLastError()
      throws Exception {
    Connection connection =
        closing(
            Nats.connect(
                Options.builder()
                    .server(url)
                    .sslContext(certificates.clientContext())
                    .userInfo("blind", BLIND_PASSWORD)
                    .maxReconnects(0)
                    .build()));
    NatsBaton bus = agent(connection);
    bus.jetStreamSubscriber("ORDERS").subscribe("orders.plain", "plain-workers", m -> {});

    Await.until(
        "the refusal reported",
        () -> meters.counter("baton.permission.denials", "feature", "backlog") == 1.0);
    assertThat(events.permissions)
        .singleElement()
        .satisfies(p -> assertThat(p.target()).isEqualTo("stream ORDERS consumer plain-workers"));
    // Baton read the client's last error and left it for the application.
    assertThat(connection.getLastError()).contains("Permissions Violation");
  }

  @Test
  void withoutTheMessageGetSubjectsTheLagIsRealAndItsAgeEstimated() throws Exception {
    assertThat(AGELESS_PERMISSIONS).doesNotContain("GET").contains("CONSUMER.INFO");
    assertThat(BLIND_PERMISSIONS).doesNotContain("GET", "CONSUMER.INFO", "$JS.API.INFO");
    Connection connection = closing(connect("ageless", AGELESS_PASSWORD));
    NatsBaton bus = agent(connection);
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = new CopyOnWriteArrayList<>();
    bus.jetStreamSubscriber("ORDERS")
        .subscribe(
            "orders.ageless",
            "ageless-workers",
            m -> {
              release.await(30, TimeUnit.SECONDS); // hold the messages: a backlog to measure
              handled.add(m.payloadAsString());
            });
    publishStored(bus, "orders.ageless", 5);

    Await.until(
        "the age read refused",
        () -> meters.counter("baton.permission.denials", "feature", "backlog.age") == 1.0);
    Await.until(
        "the lag is measured all the same",
        () ->
            events.backlog.stream()
                .anyMatch(b -> b.group().equals("ageless-workers") && b.lagMessages() == 5.0));
    release.countDown();
    Await.until("messaging goes on", () -> handled.size() == 5);
    assertThat(meters.counter("baton.permission.denials", "feature", "backlog")).isZero();
    assertThat(events.permissions)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.feature()).isEqualTo("backlog.age");
              assertThat(p.detail()).contains("GET").contains("ORDERS");
            });
    assertNoCanaries();
  }

  /** Publishes {@code count} messages m0, m1, ... to JetStream, each acknowledged by the stream. */
  private static void publishStored(NatsBaton bus, String subject, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      bus.jetStreamPublisher()
          .publish(OutboundMessage.of(subject, ("m" + i).getBytes(StandardCharsets.UTF_8)))
          .get(10, TimeUnit.SECONDS);
    }
  }
}
