/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.examples.nats.OrdersApplication;
import dev.baton.testing.Await;
import dev.baton.testing.DocBlock;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.ReadmeSnippets;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example application of docs/spring-boot.md, run for real: Tomcat on a free port, Actuator, a
 * real nats-server. Its /actuator/health, readiness and liveness answers are what that page shows.
 */
class OrdersApplicationTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  private static String status(String health, String component) {
    try {
      return JSON.readTree(health).path("components").path(component).path("status").asText();
    } catch (Exception e) {
      return "unreadable: " + e;
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static final Path PAGE = Path.of("../../docs/spring-boot.md");

  /** The example on a free loopback port, on the test's nats-server, with Actuator's probes. */
  private static ConfigurableApplicationContext start(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--nats.url=" + NATS.url(),
                "--management.endpoint.health.probes.enabled=true"));
    for (String arg : more) {
      // A property given twice would read "true,true": the caller's replaces the default.
      args.removeIf(given -> given.startsWith(arg.substring(0, arg.indexOf('=') + 1)));
      args.add(arg);
    }
    return SpringApplication.run(OrdersApplication.class, args.toArray(String[]::new));
  }

  @Test
  void theExampleHandsOrdersOnAndReportsItsHealthToActuator() throws Exception {
    // The properties docs/spring-boot.md gives the example, nats.url aside (the test's server).
    List<String> properties = new ArrayList<>();
    for (String line : DocBlock.of(PAGE, "properties").lines()) {
      if (!line.startsWith("nats.url=")) {
        properties.add("--" + line);
      }
    }
    assertThat(properties).contains("--spring.application.name=orders");
    properties.addAll(
        List.of(
            "--baton.heartbeat.interval=1s",
            // The groups as Spring Boot's docs configure them; Baton adds its members.
            "--management.endpoint.health.group.readiness.include=readinessState",
            "--management.endpoint.health.group.readiness.show-components=always",
            "--management.endpoint.health.group.liveness.include=livenessState",
            "--management.endpoint.health.group.liveness.show-components=always"));
    try (ConfigurableApplicationContext app = start(properties.toArray(String[]::new));
        Connection outside = Nats.connect(NATS.url())) {
      int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
      Subscription billing = outside.subscribe("billing.charge");
      outside.flush(Duration.ofSeconds(5));

      outside.publish("orders.new", "order 42".getBytes(StandardCharsets.UTF_8));

      Message charged = billing.nextMessage(Duration.ofSeconds(10));
      assertThat(charged).isNotNull();
      assertThat(new String(charged.getData(), StandardCharsets.UTF_8)).isEqualTo("order 42");
      assertThat(charged.getHeaders().getFirst("baton")).endsWith(";orders");

      Await.until(
          "/actuator/health UP with every Baton indicator",
          Duration.ofSeconds(30),
          () -> {
            try {
              HttpResponse<String> health = get(port, "/actuator/health");
              return health.statusCode() == 200
                  && status(health.body(), "batonAgents").equals("UP");
            } catch (Exception e) {
              return false;
            }
          });
      Await.until(
          "the agent idle once the application is ready",
          Duration.ofSeconds(30),
          () -> {
            try {
              return JSON.readTree(get(port, "/actuator/health").body())
                  .path("components")
                  .path("batonAgents")
                  .path("details")
                  .path("agents")
                  .elements()
                  .next()
                  .path("state")
                  .asText()
                  .equals("idle");
            } catch (Exception e) {
              return false;
            }
          });
      String health = get(port, "/actuator/health").body();
      System.out.println("/actuator/health: " + health);
      assertThat(health).contains("\"startCount\":1", "\"stateSince\"");
      assertThat(status(health, "batonNats")).isEqualTo("UP");
      assertThat(status(health, "batonHeartbeat")).isEqualTo("UP");
      assertThat(status(health, "batonBacklog")).isEqualTo("UP");
      assertThat(JSON.readTree(health).path("components").has("batonKafka")).isFalse();
      HttpResponse<String> readiness = get(port, "/actuator/health/readiness");
      System.out.println("/actuator/health/readiness: " + readiness.body());
      assertThat(readiness.statusCode()).isEqualTo(200);
      assertThat(readiness.body())
          .contains("\"readinessState\"", "\"batonNats\"", "\"batonBacklog\"", "\"batonAgents\"")
          .doesNotContain("\"batonHeartbeat\"");
      HttpResponse<String> liveness = get(port, "/actuator/health/liveness");
      System.out.println("/actuator/health/liveness: " + liveness.body());
      assertThat(liveness.body())
          .contains("\"livenessState\"", "\"batonHeartbeat\"")
          .doesNotContain("\"batonNats\"");

      // The page's answers have the shape of these: /actuator/health without diskSpace and ssl,
      // as it says, and each probe's components by their status.
      ObjectNode shown = (ObjectNode) JSON.readTree(health);
      ((ObjectNode) shown.path("components")).remove(List.of("diskSpace", "ssl"));
      DocBlock.of(PAGE, "health-details").isJsonShapedLike(shown.toString());
      DocBlock probes = DocBlock.of(PAGE, "probes");
      probes.part(0, 2).isJsonShapedLike(statusesOnly(readiness.body()));
      probes.part(2, 3).isJsonShapedLike(statusesOnly(liveness.body()));
    }
  }

  /** A health answer with each component reduced to its status. */
  private static String statusesOnly(String health) throws Exception {
    ObjectNode answer = (ObjectNode) JSON.readTree(health);
    ObjectNode components = (ObjectNode) answer.path("components");
    components
        .fieldNames()
        .forEachRemaining(
            name ->
                components.set(
                    name,
                    JSON.createObjectNode().set("status", components.get(name).get("status"))));
    return answer.toString();
  }

  @Test
  void withSpringBootsDefaultProbeGroupsBatonsIndicatorsAreMembers() throws Exception {
    try (ConfigurableApplicationContext app = start()) {
      HealthEndpointGroups groups = app.getBean(HealthEndpointGroups.class);
      assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
      assertThat(groups.get("readiness").isMember("batonNats")).isTrue();
      assertThat(groups.get("readiness").isMember("batonAgents")).isTrue();
      assertThat(groups.get("liveness").isMember("batonHeartbeat")).isTrue();
      assertThat(groups.get("liveness").isMember("batonNats")).isFalse();
    }
  }

  @Test
  void theReadmeShowsBothExamplesAsTheyAreCompiled() throws Exception {
    ReadmeSnippets.assertReadmeShows(
        Path.of("../../docs/spring-boot.md"),
        Path.of("src/test/java/dev/baton/examples/nats/OrdersApplication.java"));
    ReadmeSnippets.assertReadmeShows(
        Path.of("../../docs/spring-boot.md"),
        Path.of("src/test/java/dev/baton/examples/kafka/OrdersApplication.java"));
  }

  @Test
  void theKafkaAgentsBeanIsTheNatsAgentsLineForLine() throws Exception {
    String nats =
        ordersBean(Path.of("src/test/java/dev/baton/examples/nats/OrdersApplication.java"));
    String kafka =
        ordersBean(Path.of("src/test/java/dev/baton/examples/kafka/OrdersApplication.java"));

    assertThat(kafka).contains("ApplicationRunner orders(Transport bus)").isEqualTo(nats);
  }

  /** The example's agent code: its {@code orders} bean method. */
  private static String ordersBean(Path source) throws Exception {
    String text = Files.readString(source);
    int start = text.indexOf("  /** Each new order");
    return text.substring(start, text.indexOf("\n  }\n", start));
  }
}
