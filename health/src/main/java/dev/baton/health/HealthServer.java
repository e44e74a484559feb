/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.baton.transport.internal.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoints over the JDK's {@link HttpServer}:
 *
 * <ul>
 *   <li>{@code GET /health}: every check and process figures; 200 when HEALTHY or DEGRADED, 503
 *       otherwise;
 *   <li>{@code GET /health/ready}: 200 when started and serving, 503 otherwise;
 *   <li>{@code GET /health/live}: the process only; never fails because a dependency is down;
 *   <li>{@code GET /health/started}: 503 until {@link HealthManager#markStarted()}, then 200;
 *   <li>{@code GET /health/agent/{id}}: one agent from its heartbeats; 404 for an unknown id.
 * </ul>
 *
 * <p>Responses are {@code application/json}; with {@code Accept: application/health+json} the same
 * facts come in the IETF health-check draft's shape ({@code pass}/{@code warn}/{@code fail}, checks
 * keyed {@code component:measurement}). {@code Cache-Control} follows the manager's cache period.
 * Other methods get 405, unknown paths 404; no request can crash the server. Nothing in a response
 * carries a credential: checks' reasons, details and dependencies are redacted by the manager.
 *
 * <p>What a caller sees beyond the status code and the overall status follows {@link ShowDetails}:
 * by default nobody sees check names, reasons, details, dependencies, process figures, the version
 * or an agent's state, so the port does not tell an outsider the topology. Set {@link
 * Builder#setShowDetails} to {@link ShowDetails#always()} for a loopback-only port, or to {@link
 * ShowDetails#whenAuthorized(String)} for a bearer token.
 *
 * <p>The caller owns a started server and closes it.
 */
public final class HealthServer implements AutoCloseable {

  /** The IETF draft's media type. */
  public static final String HEALTH_JSON = "application/health+json";

  private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final HttpServer server;
  private final ExecutorService executor;
  private final HealthManager manager;
  private final @Nullable HeartbeatMonitor heartbeats;
  private final ProcessFacts facts;
  private final ShowDetails showDetails;
  private final @Nullable AgentGraph graph;

  private HealthServer(Builder b) throws IOException {
    this.manager = b.manager;
    this.showDetails = b.showDetails;
    this.heartbeats = b.heartbeats;
    this.graph = b.graph;
    this.facts = new ProcessFacts(b.manager, b.heartbeats, b.version, b.pendingTasks, b.queueDepth);
    this.server = HttpServer.create(b.address, 64);
    this.executor = Executors.newFixedThreadPool(4, DaemonThreads.named("baton-health-http"));
    server.setExecutor(executor);
    server.createContext("/", this::notFound);
    server.createContext("/health", this::route);
    if (graph != null) {
      server.createContext("/graph", this::graph);
    }
    b.contexts.forEach(server::createContext);
    server.start();
  }

  /**
   * {@return a builder for endpoints over {@code manager}'s checks}
   *
   * @param manager the manager whose checks the endpoints report
   */
  public static Builder builder(HealthManager manager) {
    return new Builder(Objects.requireNonNull(manager, "manager"));
  }

  /** {@return the port the server listens on} */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops serving. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- routing ----

  private void notFound(HttpExchange exchange) throws IOException {
    try (exchange) {
      send(exchange, 404, Map.of("error", "not found"), PlainJsonRenderer.INSTANCE, "no-store");
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (refusedMethod(exchange)) {
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      HealthRenderer renderer =
          acceptsHealthJson(exchange) ? HealthJsonRenderer.INSTANCE : PlainJsonRenderer.INSTANCE;
      boolean details = showDetails.allows(request(exchange));
      if (showDetails.variesByRequest()) {
        exchange.getResponseHeaders().set("Vary", "Authorization");
      }
      switch (path) {
        case "/health" -> health(exchange, renderer, details);
        case "/health/ready" -> ready(exchange, renderer, details);
        case "/health/live" -> live(exchange, renderer, details);
        case "/health/started" -> started(exchange, renderer, details);
        default -> {
          if (path.startsWith("/health/agent/") && path.length() > "/health/agent/".length()) {
            agent(exchange, path.substring("/health/agent/".length()), renderer, details);
          } else {
            send(
                exchange,
                404,
                Map.of("error", "not found"),
                PlainJsonRenderer.INSTANCE,
                "no-store");
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("health request failed: {}", e.getClass().getName());
      try {
        exchange.sendResponseHeaders(500, -1);
      } catch (IOException | RuntimeException ignored) {
        // the response had started
      }
    }
  }

  /**
   * {@code /graph}: the page for a browser, JSON for {@code Accept: application/json}, the image
   * for {@code Accept: image/svg+xml}; {@code /graph.json} and {@code /graph.svg} say it in the
   * path. Agent names are details: without them, 403.
   */
  private void graph(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (refusedMethod(exchange)) {
        return;
      }
      if (!path.equals("/graph")
          && !path.equals("/graph/")
          && !path.equals("/graph.json")
          && !path.equals("/graph.svg")) {
        send(exchange, 404, Map.of("error", "not found"), PlainJsonRenderer.INSTANCE, "no-store");
        return;
      }
      if (showDetails.variesByRequest()) {
        exchange.getResponseHeaders().set("Vary", "Authorization, Accept");
      }
      if (!showDetails.allows(request(exchange))) {
        send(
            exchange,
            403,
            Map.of("error", "the agent graph names agents: it is served with details only"),
            PlainJsonRenderer.INSTANCE,
            "no-store");
        return;
      }
      String accept =
          String.join(",", exchange.getRequestHeaders().getOrDefault("Accept", java.util.List.of()))
              .toLowerCase(java.util.Locale.ROOT);
      AgentGraph.Snapshot snapshot = graph.snapshot(heartbeats);
      if (path.equals("/graph.json")
          || (!path.equals("/graph.svg") && accept.contains("application/json"))) {
        send(exchange, 200, GraphPage.json(snapshot), PlainJsonRenderer.INSTANCE, "no-store");
      } else if (path.equals("/graph.svg") || accept.contains("image/svg+xml")) {
        sendText(exchange, snapshot.svg(), "image/svg+xml; charset=utf-8");
      } else {
        sendText(exchange, GraphPage.html(snapshot), "text/html; charset=utf-8");
      }
    } catch (RuntimeException e) {
      log.warn("graph request failed: {}", e.getClass().getName());
      try {
        exchange.sendResponseHeaders(500, -1);
      } catch (IOException | RuntimeException ignored) {
        // the response had started
      }
    }
  }

  private static void sendText(HttpExchange exchange, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Answers 405 to anything but GET and HEAD; whether it did. */
  private static boolean refusedMethod(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if ("GET".equals(method) || "HEAD".equals(method)) {
      return false;
    }
    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
    send(
        exchange,
        405,
        Map.of("error", "method not allowed"),
        PlainJsonRenderer.INSTANCE,
        "no-store");
    return true;
  }

  private static ShowDetails.Request request(HttpExchange exchange) {
    return new ShowDetails.Request(exchange.getRemoteAddress(), exchange.getRequestHeaders());
  }

  private static boolean acceptsHealthJson(HttpExchange exchange) {
    List<String> accept = exchange.getRequestHeaders().get("Accept");
    return accept != null && accept.stream().anyMatch(a -> a.contains(HEALTH_JSON));
  }

  // ---- endpoints: the status code and caching here, the body from the renderer ----

  private void health(HttpExchange exchange, HealthRenderer renderer, boolean details)
      throws IOException {
    HealthReport report = manager.report();
    int code = report.status().isServing() ? 200 : 503;
    send(exchange, code, renderer.health(report, facts, details), renderer, cacheControl(details));
  }

  private void ready(HttpExchange exchange, HealthRenderer renderer, boolean details)
      throws IOException {
    HealthReport report = manager.report();
    boolean started = manager.isStarted();
    boolean ready = started && report.status().isServing();
    HealthStatus status = ready ? report.status() : HealthStatus.UNHEALTHY;
    send(
        exchange,
        ready ? 200 : 503,
        renderer.ready(status, ready, started, facts, details),
        renderer,
        cacheControl(details));
  }

  private void live(HttpExchange exchange, HealthRenderer renderer, boolean details)
      throws IOException {
    send(exchange, 200, renderer.live(facts, details), renderer, "no-store");
  }

  private void started(HttpExchange exchange, HealthRenderer renderer, boolean details)
      throws IOException {
    boolean started = manager.isStarted();
    send(
        exchange,
        started ? 200 : 503,
        renderer.started(started, facts, details),
        renderer,
        "no-store");
  }

  private void agent(HttpExchange exchange, String id, HealthRenderer renderer, boolean details)
      throws IOException {
    AgentHealth agent = heartbeats == null || id.length() > 256 ? null : heartbeats.agent(id);
    if (agent == null) {
      send(exchange, 404, Map.of("error", "unknown agent"), PlainJsonRenderer.INSTANCE, "no-store");
      return;
    }
    int code = agent.status().isServing() ? 200 : 503;
    send(exchange, code, renderer.agent(agent, facts, details), renderer, "no-store");
  }

  // ---- writing ----

  /** The manager's cache period; a shared cache may keep only what anyone may see. */
  private String cacheControl(boolean details) {
    long seconds = manager.cacheFor().toSeconds();
    if (seconds <= 0) {
      return "no-store";
    }
    return (details && showDetails.variesByRequest() ? "private, " : "") + "max-age=" + seconds;
  }

  private static void send(
      HttpExchange exchange, int code, Object body, HealthRenderer renderer, String cache)
      throws IOException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      bytes = "{\"status\":\"UNKNOWN\"}".getBytes(StandardCharsets.UTF_8);
      code = 500;
    }
    exchange.getResponseHeaders().set("Content-Type", renderer.mediaType());
    exchange.getResponseHeaders().set("Cache-Control", cache);
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(code, -1);
      return;
    }
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Builds a {@link HealthServer}. Not thread-safe. */
  public static final class Builder {
    private final HealthManager manager;
    private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 8081);
    private @Nullable HeartbeatMonitor heartbeats;
    private String version = "unknown";
    private ShowDetails showDetails = ShowDetails.never();
    private LongSupplier pendingTasks = () -> -1;
    private LongSupplier queueDepth = () -> -1;
    private final Map<String, HttpHandler> contexts = new LinkedHashMap<>();
    private @Nullable AgentGraph graph;

    Builder(HealthManager manager) {
      this.manager = manager;
    }

    /**
     * Where to listen. Default 127.0.0.1:8081; use 0.0.0.0 for an orchestrator's probes.
     *
     * @param address the address and port to listen on (port 0 picks a free one)
     * @return this builder
     */
    public Builder setAddress(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Who sees more than the status (see {@link ShowDetails}). Default {@link ShowDetails#never()}.
     *
     * @param showDetails who may see details
     * @return this builder
     */
    public Builder setShowDetails(ShowDetails showDetails) {
      this.showDetails = Objects.requireNonNull(showDetails, "showDetails");
      return this;
    }

    /**
     * The heartbeat monitor behind {@code /health/agent/{id}} and the agent counts.
     *
     * @param heartbeats the monitor that hears the agents' heartbeats
     * @return this builder
     */
    public Builder setHeartbeats(HeartbeatMonitor heartbeats) {
      this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
      return this;
    }

    /**
     * Serves {@code graph} at {@code /graph} (a page for a browser, or JSON or SVG by {@code
     * Accept}), {@code /graph.json} and {@code /graph.svg}, to the callers {@link #setShowDetails}
     * lets see details (the graph names agents), each agent with the state its heartbeats report
     * when {@link #setHeartbeats} is set.
     *
     * @param graph the graph to serve
     * @return this builder
     */
    public Builder setGraph(AgentGraph graph) {
      this.graph = Objects.requireNonNull(graph, "graph");
      return this;
    }

    /**
     * The version reported.
     *
     * @param version the version string, say the application's
     * @return this builder
     */
    public Builder setVersion(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * Where {@code pending_tasks} comes from (e.g. the total consumer lag); negative: unknown.
     *
     * @param pendingTasks the source of {@code pending_tasks}
     * @return this builder
     */
    public Builder setPendingTasks(LongSupplier pendingTasks) {
      this.pendingTasks = Objects.requireNonNull(pendingTasks, "pendingTasks");
      return this;
    }

    /**
     * Where {@code message_queue_depth} comes from; negative: unknown.
     *
     * @param queueDepth the source of {@code message_queue_depth}
     * @return this builder
     */
    public Builder setQueueDepth(LongSupplier queueDepth) {
      this.queueDepth = Objects.requireNonNull(queueDepth, "queueDepth");
      return this;
    }

    /**
     * Serves another handler on the same port, e.g. {@code /metrics}.
     *
     * @param path the context path, say {@code /metrics}
     * @param handler the handler for requests under {@code path}
     * @return this builder
     */
    public Builder addContext(String path, HttpHandler handler) {
      if (path.equals("/") || path.startsWith("/health") || path.startsWith("/graph")) {
        throw new IllegalArgumentException("'" + path + "' is taken by the health endpoints");
      }
      contexts.put(path, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Starts the server.
     *
     * @return the running server; close it to stop
     * @throws IOException when the address cannot be bound
     */
    public HealthServer start() throws IOException {
      return new HealthServer(this);
    }
  }
}
