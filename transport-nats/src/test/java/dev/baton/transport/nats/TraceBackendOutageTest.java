/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import dev.baton.health.HealthStatus;
import dev.baton.metrics.SpanExportWatch;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscription;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trace backend down while agents talk: the OTLP endpoint first refuses connections, then
 * accepts them and never answers, then comes back. Messages keep flowing at the offered rate (at
 * least 0.9 of the rate with a healthy backend), the span queue stays bounded, lost spans are
 * counted on {@code /metrics} and make the non-critical {@code trace-export} check DEGRADED, and
 * export resumes. Each phase lasts {@code -Dbaton.traceOutage.seconds} (5 by default; the README's
 * command runs 60).
 */
@Timeout(600)
@Tag("scenario")
class TraceBackendOutageTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final int RATE = 1_000; // messages per second offered (2,000 spans)
  private static final Duration PHASE =
      Duration.ofSeconds(Long.getLong("baton.traceOutage.seconds", 5));

  @Test
  void messagesFlowAtFullRateAndLostSpansAreCountedWhileTheTraceBackendIsDown() throws Exception {
    int port = freePort();
    SpanExportWatch watch = SpanExportWatch.create(Duration.ofSeconds(3));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    watch.bindTo(registry);
    HealthCheck check = watch.healthCheck();
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(
                        watch.batchProcessor(
                            OtlpHttpSpanExporter.builder()
                                .setEndpoint("http://127.0.0.1:" + port + "/v1/traces")
                                .setTimeout(Duration.ofSeconds(5))
                                .build()))
                    .build())
            .build();
    AtomicLong received = new AtomicLong();
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton nats =
            NatsBaton.create(Baton.builder(sdk).setAgentName("talker").build(), connection)) {
      Subscription subscription =
          nats.subscriber().subscribe("outage.talk", null, m -> received.incrementAndGet());
      assertThat(subscription.awaitReady(Duration.ofSeconds(10))).isTrue();
      Publisher publisher = nats.publisher();

      List<String> report = new ArrayList<>();
      double normal;
      try (Backend backend = Backend.answering(port)) {
        normal = phase("backend answering", publisher, received, report);
        Await.until("spans exported", () -> watch.exportedSpans() > 0);
        // (Drops are possible even now on a busy machine: the queue is bounded by design.)
        assertThat(watch.failedSpans()).as("no export fails while the backend answers").isZero();
      }

      double refused = phase("connections refused", publisher, received, report);
      assertThat(watch.droppedSpans() + watch.failedSpans())
          .as("spans lost while the backend refuses connections")
          .isPositive();
      CheckResult degraded = check.check();
      assertThat(degraded.status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(degraded.reason()).contains("spans are being lost").contains("dropped");
      assertThat(watch.queuedSpans()).as("the queue stays bounded").isLessThanOrEqualTo(2048);

      double hanging;
      try (Backend backend = Backend.silent(port)) {
        hanging = phase("connections accepted, never answered", publisher, received, report);
        assertThat(backend.accepted()).as("the exporter did connect").isPositive();
      }
      assertThat(watch.queuedSpans()).isLessThanOrEqualTo(2048);
      assertThat(check.check().status()).isEqualTo(HealthStatus.DEGRADED);
      String scrape = registry.scrape();
      assertThat(scrape).containsPattern("baton_spans_dropped_total [1-9]");

      try (Backend backend = Backend.answering(port)) {
        long before = watch.exportedSpans();
        Await.until("export resumes", Duration.ofSeconds(60), () -> watch.exportedSpans() > before);
        phase("backend back", publisher, received, report);
        Await.until(
            "trace-export healthy again",
            Duration.ofSeconds(30),
            () -> {
              try {
                return check.check().status() == HealthStatus.HEALTHY;
              } catch (Exception e) {
                return false;
              }
            });
      }
      report.forEach(line -> System.out.println("[trace-outage] " + line));
      System.out.printf(
          "[trace-outage] exported %d, failed %d, dropped %d%n",
          watch.exportedSpans(), watch.failedSpans(), watch.droppedSpans());
      assertThat(refused / normal).as("throughput while refused / normal").isGreaterThan(0.9);
      assertThat(hanging / normal).as("throughput while hanging / normal").isGreaterThan(0.9);
    } finally {
      sdk.getSdkTracerProvider().shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  /** Offers {@link #RATE} messages a second for a phase; returns the rate received. */
  private static double phase(
      String name, Publisher publisher, AtomicLong received, List<String> report) throws Exception {
    long start = System.nanoTime();
    long startReceived = received.get();
    long sent = 0;
    while (System.nanoTime() - start < PHASE.toNanos()) {
      long due = (System.nanoTime() - start) * RATE / 1_000_000_000L;
      while (sent < due) {
        publisher.publish("outage.talk", new byte[64]);
        sent++;
      }
      Thread.sleep(5);
    }
    long sentFinal = sent;
    Await.until(
        "the phase's messages arrive",
        Duration.ofSeconds(30),
        () -> received.get() - startReceived >= sentFinal);
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = (received.get() - startReceived) / seconds;
    report.add(String.format("%-38s %,d sent, %,.0f received per second", name, sent, rate));
    return rate;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A stand-in trace backend on a port: answering OTLP/HTTP, or accepting and never answering. */
  private static final class Backend implements AutoCloseable {
    private final AutoCloseable closer;
    private final AtomicLong accepted;

    private Backend(AutoCloseable closer, AtomicLong accepted) {
      this.closer = closer;
      this.accepted = accepted;
    }

    static Backend answering(int port) throws IOException {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      AtomicLong requests = new AtomicLong();
      server.createContext(
          "/v1/traces",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      server.start();
      return new Backend(() -> server.stop(0), requests);
    }

    static Backend silent(int port) throws IOException {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      AtomicLong accepted = new AtomicLong();
      AtomicBoolean open = new AtomicBoolean(true);
      List<Socket> held = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                while (open.get()) {
                  try {
                    held.add(socket.accept()); // never read, never answered
                    accepted.incrementAndGet();
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "silent-backend");
      acceptor.setDaemon(true);
      acceptor.start();
      return new Backend(
          () -> {
            open.set(false);
            socket.close();
            acceptor.join(5000);
            for (Socket s : held) {
              s.close();
            }
          },
          accepted);
    }

    long accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws Exception {
      closer.close();
    }
  }
}
