/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo under the SDK's own {@code OTEL_*} variables, in a JVM of its own with a real
 * environment, exporting to a receiver in this test: OTLP/HTTP requests with the configured headers
 * and resource attributes, each agent its own {@code service.name}, the sampler, the propagators
 * (B3 beside W3C on the wire), each signal's exporter switched off on its own, metrics pushed over
 * OTLP, and gRPC when the protocol says so.
 */
@Tag("scenario") // six demo JVMs, tens of seconds
class SwarmOtelSettingsTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @TempDir Path dir;

  private record Request(String path, String authorization, String body) {}

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** An OTLP/HTTP receiver: records each request's path, Authorization header and raw body. */
  private String receiver() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          requests.add(
              new Request(
                  exchange.getRequestURI().getPath(),
                  auth == null ? "" : auth,
                  // Protobuf keeps strings as UTF-8 bytes: enough to find names and values.
                  new String(body, StandardCharsets.ISO_8859_1)));
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    open.add(() -> server.stop(0));
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private SwarmProcess run(String name, Map<String, String> env) throws Exception {
    SwarmProcess demo =
        SwarmProcess.start(
            dir,
            name,
            List.of(
                "--transport",
                "nats",
                "--nats-url",
                NATS.url(),
                "--port",
                "0",
                "--tasks",
                "3",
                "--rate",
                "5"),
            env);
    open.add(demo);
    assertThat(demo.awaitExit(Duration.ofSeconds(120))).as(demo.tail(60)).isZero();
    return demo;
  }

  private List<Request> at(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  @Test
  void otlpHttpWithHeadersResourceAttributesAndMetricsPushed() throws Exception {
    String endpoint = receiver();

    SwarmProcess demo =
        run(
            "otlp-http",
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer otlp-test-token-1234",
                "OTEL_EXPORTER_OTLP_TIMEOUT", "5000",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging-7",
                "OTEL_SERVICE_NAME", "my-swarm-process",
                "OTEL_BSP_SCHEDULE_DELAY", "200",
                "OTEL_METRIC_EXPORT_INTERVAL", "1000"));

    List<Request> traces = at("/v1/traces");
    assertThat(traces).as(demo.tail(40)).isNotEmpty();
    assertThat(traces)
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer otlp-test-token-1234"));
    String allTraces = String.join("\n", traces.stream().map(Request::body).toList());
    assertThat(allTraces)
        .contains("deployment.environment.name", "staging-7")
        .contains("coordinator", "researcher", "summarizer")
        .as("each agent keeps its own service.name")
        .doesNotContain("my-swarm-process");
    List<Request> metrics = at("/v1/metrics");
    assertThat(metrics).as("metrics pushed over OTLP").isNotEmpty();
    String allMetrics = String.join("\n", metrics.stream().map(Request::body).toList());
    assertThat(allMetrics)
        .contains("my-swarm-process", "staging-7")
        .contains("messaging.client.sent.messages", "baton.delivery.latency");
    assertThat(metrics).allSatisfy(r -> assertThat(r.authorization()).startsWith("Bearer "));
    assertThat(demo.output()).doesNotContain("otlp-test-token-1234");
  }

  @Test
  void theSamplerDecidesWhatIsExportedWhileMetricsStillFlow() throws Exception {
    String endpoint = receiver();

    SwarmProcess demo =
        run(
            "sampler-off",
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
                "OTEL_TRACES_SAMPLER", "always_off",
                "OTEL_METRIC_EXPORT_INTERVAL", "1000"));

    assertThat(demo.output()).contains(String.format("  %-22s %d%n", "tasks done", 3));
    assertThat(at("/v1/traces")).as("no sampled span, no span export").isEmpty();
    assertThat(at("/v1/metrics")).isNotEmpty();
  }

  @Test
  void propagatorsB3WritesB3BesideW3cAndMetricsExporterNoneKeepsMetricsHome() throws Exception {
    String endpoint = receiver();
    List<Message> handOffs = new CopyOnWriteArrayList<>();
    Connection watcher = Nats.connect(NATS.url());
    open.add(watcher::close);
    // The demo's hand-offs, as a raw client sees them on the wire.
    watcher.createDispatcher(handOffs::add).subscribe("agents.>");
    watcher.flush(Duration.ofSeconds(5));

    SwarmProcess demo =
        run(
            "b3-no-metrics",
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
                "OTEL_PROPAGATORS", "b3",
                "OTEL_METRICS_EXPORTER", "none",
                "OTEL_BSP_SCHEDULE_DELAY", "200",
                "OTEL_METRIC_EXPORT_INTERVAL", "1000"));

    List<Message> traced =
        handOffs.stream()
            .filter(m -> m.getHeaders() != null && m.getHeaders().getFirst("traceparent") != null)
            .toList();
    assertThat(traced).as(demo.tail(40)).isNotEmpty();
    assertThat(traced)
        .allSatisfy(
            m -> {
              String traceId = m.getHeaders().getFirst("traceparent").split("-")[1];
              assertThat(m.getHeaders().getFirst("b3"))
                  .as("B3 single header beside W3C's on %s", m.getSubject())
                  .isNotNull()
                  .startsWith(traceId + "-");
            });
    assertThat(at("/v1/traces")).as("traces still exported").isNotEmpty();
    assertThat(at("/v1/metrics")).as("OTEL_METRICS_EXPORTER=none: no push").isEmpty();
  }

  @Test
  void tracesExporterNoneExportsNoSpanWhileMetricsAreStillPushed() throws Exception {
    String endpoint = receiver();

    SwarmProcess demo =
        run(
            "no-traces",
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
                "OTEL_TRACES_EXPORTER", "none",
                "OTEL_METRIC_EXPORT_INTERVAL", "1000"));

    assertThat(demo.output()).contains(String.format("  %-22s %d%n", "tasks done", 3));
    assertThat(at("/v1/traces")).as("OTEL_TRACES_EXPORTER=none: no span leaves").isEmpty();
    assertThat(at("/v1/metrics")).as("metrics still pushed").isNotEmpty();
  }

  @Test
  void withoutAnEndpointNothingLeavesAndTreesArePrinted() throws Exception {
    receiver(); // listening, but nobody points at it

    SwarmProcess demo = run("no-endpoint", Map.of());

    assertThat(requests).isEmpty();
    assertThat(demo.output()).contains("process agents.research");
  }

  @Test
  void protocolGrpcSpeaksHttp2ToTheEndpoint() throws Exception {
    ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(socket);
    List<String> prefaces = new CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              while (!socket.isClosed()) {
                try (Socket client = socket.accept()) {
                  InputStream in = client.getInputStream();
                  prefaces.add(new String(in.readNBytes(24), StandardCharsets.ISO_8859_1));
                } catch (Exception e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();

    run(
        "otlp-grpc",
        Map.of(
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + socket.getLocalPort(),
            "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
            "OTEL_EXPORTER_OTLP_TIMEOUT", "1000",
            "OTEL_BSP_SCHEDULE_DELAY", "200"));

    Await.until("a connection from the exporter", () -> !prefaces.isEmpty());
    // The HTTP/2 connection preface that gRPC opens with, not an HTTP/1.1 POST.
    assertThat(prefaces).contains("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  }
}
