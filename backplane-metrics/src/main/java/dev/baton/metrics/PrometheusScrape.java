/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.baton.transport.internal.DaemonThreads;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a {@link PrometheusMeterRegistry} over HTTP at {@code /metrics}: standalone with {@link
 * #start}, or as a handler inside another server (the health server) with {@link #handler}. It
 * answers in the Prometheus text format, or in OpenMetrics (which carries exemplars, see {@link
 * TraceExemplars}) when the request's {@code Accept} header asks for {@code
 * application/openmetrics-text}, as Prometheus does.
 *
 * <p>The caller owns a started instance and closes it; closing stops the server and its thread.
 */
public final class PrometheusScrape implements AutoCloseable {

  /** The Prometheus text format's content type. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** The OpenMetrics text format's content type. */
  public static final String OPENMETRICS_CONTENT_TYPE =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private PrometheusScrape(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts a server on {@code address} (port 0 picks a free one) that serves {@code registry} at
   * {@code /metrics}.
   *
   * @param registry the registry to serve
   * @param address where to listen
   * @return the running server; close it to stop
   * @throws IOException when the address cannot be bound
   */
  public static PrometheusScrape start(PrometheusMeterRegistry registry, InetSocketAddress address)
      throws IOException {
    Objects.requireNonNull(registry, "registry");
    HttpServer server = HttpServer.create(Objects.requireNonNull(address, "address"), 0);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(DaemonThreads.named("baton-prometheus-scrape"));
    server.setExecutor(executor);
    server.createContext("/metrics", handler(registry));
    server.start();
    return new PrometheusScrape(server, executor);
  }

  /**
   * {@return a handler that answers GET with the scrape text; usable in any {@link HttpServer}}
   *
   * @param registry the registry to serve
   */
  public static HttpHandler handler(PrometheusMeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    return exchange -> {
      try (exchange) {
        if (!"GET".equals(exchange.getRequestMethod())
            && !"HEAD".equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String type =
            accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS_CONTENT_TYPE
                : CONTENT_TYPE;
        byte[] body = registry.scrape(type).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Vary", "Accept");
        if ("HEAD".equals(exchange.getRequestMethod())) {
          exchange.sendResponseHeaders(200, -1);
          return;
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      } catch (RuntimeException e) {
        sendError(exchange);
      }
    };
  }

  private static void sendError(HttpExchange exchange) throws IOException {
    try {
      exchange.sendResponseHeaders(500, -1);
    } catch (IOException | RuntimeException ignored) {
      // the response had started
    }
  }

  /** {@return the port the server listens on} */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@return the scrape URL, {@code http://host:port/metrics}} */
  public URI uri() {
    InetSocketAddress address = server.getAddress();
    return URI.create(
        "http://" + address.getAddress().getHostAddress() + ":" + address.getPort() + "/metrics");
  }

  /** Stops serving. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
