/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private HealthServer serve(HealthManager manager) throws Exception {
    return serve(manager, ShowDetails.always());
  }

  private HealthServer serve(HealthManager manager, ShowDetails showDetails) throws Exception {
    toClose.add(manager);
    HealthServer.Builder builder =
        HealthServer.builder(manager)
            .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    if (showDetails != null) {
      builder.setShowDetails(showDetails);
    }
    HealthServer server = builder.setVersion("1.2.3").setQueueDepth(() -> 7).start();
    toClose.add(server);
    return server;
  }

  private HttpResponse<String> get(HealthServer server, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HealthCheck counting(String name, AtomicInteger runs, CheckResult result) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<String> dependencies() {
        return List.of("db://127.0.0.1:5432");
      }

      @Override
      public CheckResult check() {
        runs.incrementAndGet();
        return result;
      }
    };
  }

  @Test
  void everyResponseWithinAPeriodShowsTheSameCpuFigure() throws Exception {
    HealthServer server =
        serve(
            HealthManager.builder()
                .addCheck(counting("db", new AtomicInteger(), CheckResult.healthy()))
                .setInterval(Duration.ZERO)
                .setCacheFor(Duration.ofSeconds(20))
                .build());
    // Keep a core busy so the process's load is well above zero.
    AtomicBoolean busy = new AtomicBoolean(true);
    Thread burner =
        new Thread(
            () -> {
              long x = 0;
              while (busy.get()) {
                x += System.nanoTime() % 7;
              }
              if (x == 42) {
                System.out.print("");
              }
            });
    burner.setDaemon(true);
    burner.start();
    double usage;
    try {
      // The JVM's load figure covers the time since anyone last asked for it, and the manager
      // asked when it was built: let the busy core run a tenth of a second of CPU first, without
      // asking for the load (that would start a new, near-empty window), so the figure the
      // evaluation reads covers it.
      long cpuAtStart = processCpuTime();
      Await.until(
          "the busy core has run 100 ms of CPU",
          () -> processCpuTime() - cpuAtStart >= 100_000_000L);
      usage = cpu(server, "/health");
    } finally {
      busy.set(false);
      burner.join();
    }
    // Idle now: a figure read at request time would be well below the cached one.
    Await.until("the process idles", () -> processCpuLoad() * 100 < usage / 2);
    double again = cpu(server, "/health");
    double available =
        JSON.readTree(get(server, "/health/ready").body())
            .path("resource_availability")
            .path("cpu_available_percent")
            .asDouble();

    assertThat(usage).as("the process was busy").isGreaterThan(1.0);
    assertThat(again).as("the same figure within the cache period").isEqualTo(usage);
    assertThat(available).isCloseTo(100 - usage, Offset.offset(0.11));
  }

  /** The CPU time this process has used, ns (reading it leaves the load figure's window alone). */
  private static long processCpuTime() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The JVM's own reading of this process's recent CPU load, 0-1. */
  private static double processCpuLoad() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuLoad();
  }

  private double cpu(HealthServer server, String path) throws Exception {
    return JSON.readTree(get(server, path).body())
        .path("metrics")
        .path("cpu_usage_percent")
        .asDouble();
  }

  private static HealthManager revealing() {
    return HealthManager.builder()
        .addCheck(
            new HealthCheck() {
              @Override
              public String name() {
                return "kafka-orders";
              }

              @Override
              public List<String> dependencies() {
                return List.of("kafka://broker-7.internal:9093");
              }

              @Override
              public CheckResult check() {
                return CheckResult.degraded("missing topics: orders.secret")
                    .withDetail("cluster_id", "cluster-abc");
              }
            },
            Criticality.NON_CRITICAL)
        .setInterval(Duration.ZERO)
        .setCacheFor(Duration.ofSeconds(2))
        .build();
  }

  /** Everything a detailed answer would tell an outsider, none of which may appear without it. */
  private static final List<String> REVEALING =
      List.of(
          "kafka-orders",
          "broker-7",
          "orders.secret",
          "cluster-abc",
          "1.2.3",
          "memory",
          "uptime",
          "queue",
          "checks",
          "version",
          "agents");

  @Test
  void byDefaultEveryEndpointAnswersWithItsStatusCodeAndStatusAlone() throws Exception {
    HealthManager manager = revealing();
    HealthServer server = serve(manager, null);
    manager.markStarted();

    for (String path : List.of("/health", "/health/ready", "/health/live", "/health/started")) {
      for (String accept : List.of("application/json", HealthServer.HEALTH_JSON)) {
        HttpResponse<String> response = get(server, path, "Accept", accept);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText())
            .as(path)
            .isIn("DEGRADED", "HEALTHY", "warn", "pass");
        for (String word : REVEALING) {
          assertThat(response.body()).as(path + " " + accept).doesNotContainIgnoringCase(word);
        }
      }
    }
    JsonNode health = JSON.readTree(get(server, "/health").body());
    assertThat(health.path("status").asText()).isEqualTo("DEGRADED");
    assertThat(get(server, "/health").headers().firstValue("Vary")).isEmpty();
  }

  @Test
  void aBearerTokenUnlocksDetailsAndAnyOtherRequestGetsTheStatusAlone() throws Exception {
    String token = "canary-token-0123456789abcdef";
    ShowDetails showDetails = ShowDetails.whenAuthorized(token);
    HealthServer server = serve(revealing(), showDetails);

    HttpResponse<String> anonymous = get(server, "/health");
    HttpResponse<String> wrong = get(server, "/health", "Authorization", "Bearer " + token + "x");
    HttpResponse<String> basic = get(server, "/health", "Authorization", "Basic " + token);
    HttpResponse<String> authorized = get(server, "/health", "Authorization", "Bearer " + token);

    for (HttpResponse<String> refused : List.of(anonymous, wrong, basic)) {
      assertThat(refused.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(refused.body()).path("status").asText()).isEqualTo("DEGRADED");
      for (String word : REVEALING) {
        assertThat(refused.body()).doesNotContainIgnoringCase(word);
      }
      assertThat(refused.headers().firstValue("Cache-Control")).hasValue("max-age=2");
    }
    JsonNode body = JSON.readTree(authorized.body());
    assertThat(body.path("checks").path("kafka-orders").path("reason").asText())
        .isEqualTo("missing topics: orders.secret");
    assertThat(body.path("checks").path("kafka-orders").path("details").path("cluster_id").asText())
        .isEqualTo("cluster-abc");
    assertThat(body.path("version").asText()).isEqualTo("1.2.3");
    // A shared cache must not hand the detailed answer to the next caller.
    assertThat(authorized.headers().firstValue("Cache-Control")).hasValue("private, max-age=2");
    assertThat(authorized.headers().firstValue("Vary")).hasValue("Authorization");
    assertThat(anonymous.headers().firstValue("Vary")).hasValue("Authorization");
    assertThat(showDetails.toString()).doesNotContain(token);
  }

  @Test
  void aCallerSuppliedPredicateDecidesAndOneThatThrowsRefuses() throws Exception {
    HealthServer server =
        serve(
            revealing(),
            ShowDetails.whenAuthorized(
                request -> {
                  if (request.header("X-Boom") != null) {
                    throw new IllegalStateException("boom");
                  }
                  return "ops".equals(request.header("x-client-role"))
                      && request.remoteAddress().getAddress().isLoopbackAddress();
                }));

    assertThat(get(server, "/health", "X-Client-Role", "ops").body()).contains("cluster-abc");
    assertThat(get(server, "/health", "X-Client-Role", "dev").body()).doesNotContain("cluster-abc");
    HttpResponse<String> boom = get(server, "/health", "X-Client-Role", "ops", "X-Boom", "1");
    assertThat(boom.statusCode()).isEqualTo(200);
    assertThat(boom.body()).doesNotContain("cluster-abc");
  }

  @Test
  void aShortOrBlankTokenIsRefusedAtConfiguration() {
    assertThatThrownBy(() -> ShowDetails.whenAuthorized("short-secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16")
        .hasMessageNotContaining("short-secret");
    assertThatThrownBy(() -> ShowDetails.whenAuthorized("                    "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void healthReportsEveryCheckAndTheProcess() throws Exception {
    HealthServer server =
        serve(
            HealthManager.builder()
                .addCheck(
                    counting(
                        "db", new AtomicInteger(), CheckResult.healthy().withDetail("rows", 1)))
                .addCheck(
                    counting("backlog", new AtomicInteger(), CheckResult.degraded("lag 5000")),
                    Criticality.NON_CRITICAL)
                .setInterval(Duration.ZERO)
                .setCacheFor(Duration.ofSeconds(2))
                .build());

    HttpResponse<String> response = get(server, "/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("max-age=2");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("DEGRADED");
    assertThat(body.path("version").asText()).isEqualTo("1.2.3");
    assertThat(body.path("uptime_seconds").isNumber()).isTrue();
    JsonNode db = body.path("checks").path("db");
    assertThat(db.path("status").asText()).isEqualTo("HEALTHY");
    assertThat(db.path("latency_ms").isNumber()).isTrue();
    assertThat(db.path("last_check").asText()).isNotEmpty();
    assertThat(db.path("details").path("rows").asInt()).isEqualTo(1);
    assertThat(db.path("dependencies").get(0).asText()).isEqualTo("db://127.0.0.1:5432");
    assertThat(body.path("checks").path("backlog").path("reason").asText()).isEqualTo("lag 5000");
    JsonNode metrics = body.path("metrics");
    assertThat(metrics.path("memory_usage_mb").asDouble()).isPositive();
    assertThat(metrics.path("memory_available_mb").asDouble()).isPositive();
    assertThat(metrics.path("message_queue_depth").asInt()).isEqualTo(7);
    assertThat(metrics.has("cpu_usage_percent")).isTrue();
    assertThat(metrics.has("active_agents")).isTrue();
    assertThat(metrics.has("pending_tasks")).isTrue();
  }

  @Test
  void aFailingCriticalCheckIs503WhileLivenessStays200() throws Exception {
    HealthServer server =
        serve(
            HealthManager.builder()
                .addCheck(counting("broker", new AtomicInteger(), CheckResult.unhealthy("down")))
                .setInterval(Duration.ZERO)
                .build());

    assertThat(get(server, "/health").statusCode()).isEqualTo(503);
    assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
    assertThat(get(server, "/health/live").headers().firstValue("Cache-Control"))
        .hasValue("no-store");
  }

  @Test
  void readinessAndStartupWaitForTheAgentsToSubscribe() throws Exception {
    HealthManager manager =
        HealthManager.builder()
            .addCheck(counting("broker", new AtomicInteger(), CheckResult.healthy()))
            .setInterval(Duration.ZERO)
            .build();
    HealthServer server = serve(manager);

    assertThat(get(server, "/health/started").statusCode()).isEqualTo(503);
    HttpResponse<String> notReady = get(server, "/health/ready");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(notReady.body()).path("ready_for_tasks").asBoolean()).isFalse();

    manager.markStarted();

    assertThat(get(server, "/health/started").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get(server, "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(ready.body());
    assertThat(body.path("ready_for_tasks").asBoolean()).isTrue();
    assertThat(body.path("queue_depth").asInt()).isEqualTo(7);
    assertThat(body.path("resource_availability").path("memory_available_mb").asDouble())
        .isPositive();
  }

  @Test
  void healthJsonSpeaksTheIetfDraft() throws Exception {
    HealthServer server =
        serve(
            HealthManager.builder()
                .addCheck(counting("db", new AtomicInteger(), CheckResult.healthy()))
                .addCheck(
                    counting("backlog", new AtomicInteger(), CheckResult.degraded("lagging")),
                    Criticality.NON_CRITICAL)
                .setInterval(Duration.ZERO)
                .build());

    HttpResponse<String> response = get(server, "/health", "Accept", "application/health+json");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/health+json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("warn");
    JsonNode db = body.path("checks").path("db:responseTime").get(0);
    assertThat(db.path("status").asText()).isEqualTo("pass");
    assertThat(db.path("observedUnit").asText()).isEqualTo("ms");
    assertThat(body.path("checks").path("backlog:responseTime").get(0).path("output").asText())
        .isEqualTo("lagging");
    assertThat(
            JSON.readTree(get(server, "/health/live", "Accept", "application/health+json").body())
                .path("status")
                .asText())
        .isEqualTo("pass");
  }

  @Test
  void otherMethodsUnknownPathsAndGarbageAreAnsweredNotCrashedOn() throws Exception {
    HealthServer server =
        serve(
            HealthManager.builder()
                .addCheck(counting("db", new AtomicInteger(), CheckResult.healthy()))
                .setInterval(Duration.ZERO)
                .build());

    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(get(server, "/nope").statusCode()).isEqualTo(404);
    assertThat(get(server, "/health/nope").statusCode()).isEqualTo(404);
    assertThat(get(server, "/health/agent/someone").statusCode()).isEqualTo(404);
    for (String garbage :
        List.of(
            "GARBAGE\r\n\r\n",
            "GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
            "\u0000\u0001\u0002\r\n\r\n",
            "GET " + "/a".repeat(20_000) + " HTTP/1.1\r\n\r\n")) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        socket.setSoTimeout(2000);
        OutputStream out = socket.getOutputStream();
        out.write(garbage.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        try {
          in.read(new byte[512]);
        } catch (SocketTimeoutException | SocketException e) {
          // closed or silent: either way the server lives on
        }
      }
    }

    assertThat(get(server, "/health").statusCode()).isEqualTo(200);
  }

  @Test
  void twoHundredConcurrentRequestsRunEachCheckAtMostOncePerCachePeriod() throws Exception {
    AtomicInteger db = new AtomicInteger();
    AtomicInteger broker = new AtomicInteger();
    HealthServer server =
        serve(
            HealthManager.builder()
                .addCheck(counting("db", db, CheckResult.healthy()))
                .addCheck(counting("broker", broker, CheckResult.healthy()))
                .setInterval(Duration.ZERO)
                .setCacheFor(Duration.ofSeconds(30))
                .setMaxAge(Duration.ofSeconds(60))
                .build());
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();

    for (int i = 0; i < 200; i++) {
      responses.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }
    assertThat(db).hasValue(1);
    assertThat(broker).hasValue(1);
  }

  @Test
  void aCheckThatNeverReturnsNeverKeepsTheEndpointsFromAnsweringWithinOneSecond() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try {
      HealthServer server =
          serve(
              HealthManager.builder()
                  .addCheck(HealthManagerTest.hanging("stuck", never))
                  .setTimeout(Duration.ofSeconds(2))
                  .setInterval(Duration.ZERO)
                  .setCacheFor(Duration.ZERO)
                  .build());

      long slowest = 0;
      String status = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!status.equals("UNHEALTHY") && System.nanoTime() < deadline) {
        for (String path : List.of("/health", "/health/ready", "/health/live")) {
          long started = System.nanoTime();
          HttpResponse<String> response = get(server, path);
          slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
          if (path.equals("/health")) {
            assertThat(response.statusCode()).isEqualTo(503);
            status =
                JSON.readTree(response.body()).path("checks").path("stuck").path("status").asText();
          }
        }
      }

      assertThat(status).as("failed once its 2 s were up").isEqualTo("UNHEALTHY");
      assertThat(slowest).as("slowest answer, ms").isLessThan(1000);
    } finally {
      never.countDown();
    }
  }
}
