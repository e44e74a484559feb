package dev.baton.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.baton.health.internal.ProcessFigures;
import dev.baton.transport.internal.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
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
  private final Heartbeats.@Nullable Monitor heartbeats;
  private final String version;
  private final LongSupplier pendingTasks;
  private final LongSupplier queueDepth;

  private HealthServer(Builder b) throws IOException {
    this.manager = b.manager;
    this.heartbeats = b.heartbeats;
    this.version = b.version;
    this.pendingTasks = b.pendingTasks;
    this.queueDepth = b.queueDepth;
    this.server = HttpServer.create(b.address, 64);
    this.executor = Executors.newFixedThreadPool(4, DaemonThreads.named("baton-health-http"));
    server.setExecutor(executor);
    server.createContext("/", this::notFound);
    server.createContext("/health", this::route);
    b.contexts.forEach(server::createContext);
    server.start();
  }

  /** A builder for endpoints over {@code manager}'s checks. */
  public static Builder builder(HealthManager manager) {
    return new Builder(Objects.requireNonNull(manager, "manager"));
  }

  /** The port the server listens on. */
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
      send(exchange, 404, Map.of("error", "not found"), false, "no-store");
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, Map.of("error", "method not allowed"), false, "no-store");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      boolean ietf = acceptsHealthJson(exchange);
      switch (path) {
        case "/health" -> health(exchange, ietf);
        case "/health/ready" -> ready(exchange, ietf);
        case "/health/live" -> live(exchange, ietf);
        case "/health/started" -> started(exchange, ietf);
        default -> {
          if (path.startsWith("/health/agent/") && path.length() > "/health/agent/".length()) {
            agent(exchange, path.substring("/health/agent/".length()), ietf);
          } else {
            send(exchange, 404, Map.of("error", "not found"), false, "no-store");
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

  private static boolean acceptsHealthJson(HttpExchange exchange) {
    List<String> accept = exchange.getRequestHeaders().get("Accept");
    return accept != null && accept.stream().anyMatch(a -> a.contains(HEALTH_JSON));
  }

  // ---- endpoints ----

  private void health(HttpExchange exchange, boolean ietf) throws IOException {
    HealthReport report = manager.report();
    int code = report.status().isServing() ? 200 : 503;
    Object body;
    if (ietf) {
      Map<String, Object> out = ietfHead(report.status());
      Map<String, Object> checks = new LinkedHashMap<>();
      for (CheckReport check : report.checks().values()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("componentId", check.name());
        entry.put("componentType", "component");
        entry.put("observedValue", check.latencyMillis());
        entry.put("observedUnit", "ms");
        entry.put("status", ietfStatus(check.status()));
        entry.put("time", check.checkedAt().toString());
        if (!check.reason().isEmpty()) {
          entry.put("output", check.reason());
        }
        checks.put(check.name() + ":responseTime", List.of(entry));
      }
      checks.put(
          "process:uptime",
          List.of(
              Map.of(
                  "componentType",
                  "system",
                  "observedValue",
                  uptimeSeconds(),
                  "observedUnit",
                  "s",
                  "status",
                  "pass")));
      out.put("checks", checks);
      body = out;
    } else {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", report.status().name());
      out.put("timestamp", Instant.now().toString());
      out.put("uptime_seconds", uptimeSeconds());
      out.put("version", version);
      Map<String, Object> checks = new LinkedHashMap<>();
      for (CheckReport check : report.checks().values()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("status", check.status().name());
        entry.put("critical", check.critical());
        entry.put("last_check", check.checkedAt().toString());
        entry.put("latency_ms", check.latencyMillis());
        if (!check.reason().isEmpty()) {
          entry.put("reason", check.reason());
        }
        entry.put("details", check.details());
        entry.put("dependencies", check.dependencies());
        checks.put(check.name(), entry);
      }
      out.put("checks", checks);
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("cpu_usage_percent", number(manager.cpuUsagePercent()));
      metrics.put("memory_usage_mb", ProcessFigures.memoryUsageMb());
      metrics.put("memory_available_mb", ProcessFigures.memoryAvailableMb());
      metrics.put("active_agents", heartbeats == null ? null : heartbeats.activeAgents());
      metrics.put("pending_tasks", count(pendingTasks));
      metrics.put("message_queue_depth", count(queueDepth));
      out.put("metrics", metrics);
      body = out;
    }
    send(exchange, code, body, ietf, cacheControl());
  }

  private void ready(HttpExchange exchange, boolean ietf) throws IOException {
    HealthReport report = manager.report();
    boolean ready = manager.isStarted() && report.status().isServing();
    HealthStatus status = ready ? report.status() : HealthStatus.UNHEALTHY;
    Object body;
    if (ietf) {
      Map<String, Object> out = ietfHead(status);
      if (!ready) {
        out.put("output", manager.isStarted() ? "a critical check fails" : "not started yet");
      }
      body = out;
    } else {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", status.name());
      out.put("timestamp", Instant.now().toString());
      out.put("ready_for_tasks", ready);
      out.put("available_agents", heartbeats == null ? null : heartbeats.activeAgents());
      out.put("queue_depth", count(queueDepth));
      Map<String, Object> resources = new LinkedHashMap<>();
      double cpu = manager.cpuUsagePercent();
      resources.put(
          "cpu_available_percent", Double.isNaN(cpu) ? null : Math.round((100 - cpu) * 10) / 10.0);
      resources.put("memory_available_mb", ProcessFigures.memoryAvailableMb());
      out.put("resource_availability", resources);
      body = out;
    }
    send(exchange, ready ? 200 : 503, body, ietf, cacheControl());
  }

  private void live(HttpExchange exchange, boolean ietf) throws IOException {
    Object body;
    if (ietf) {
      body = ietfHead(HealthStatus.HEALTHY);
    } else {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", HealthStatus.HEALTHY.name());
      out.put("timestamp", Instant.now().toString());
      out.put("uptime_seconds", uptimeSeconds());
      body = out;
    }
    send(exchange, 200, body, ietf, "no-store");
  }

  private void started(HttpExchange exchange, boolean ietf) throws IOException {
    boolean started = manager.isStarted();
    Object body;
    if (ietf) {
      body = ietfHead(started ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY);
    } else {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", (started ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY).name());
      out.put("started", started);
      out.put("timestamp", Instant.now().toString());
      body = out;
    }
    send(exchange, started ? 200 : 503, body, ietf, "no-store");
  }

  private void agent(HttpExchange exchange, String id, boolean ietf) throws IOException {
    AgentHealth agent = heartbeats == null || id.length() > 256 ? null : heartbeats.agent(id);
    if (agent == null) {
      send(exchange, 404, Map.of("error", "unknown agent"), false, "no-store");
      return;
    }
    Object body;
    if (ietf) {
      Map<String, Object> out = ietfHead(agent.status());
      out.put("serviceId", agent.agentId());
      out.put(
          "checks",
          Map.of(
              "agent:heartbeat",
              List.of(
                  Map.of(
                      "componentType",
                      "component",
                      "status",
                      ietfStatus(agent.status()),
                      "time",
                      agent.lastHeartbeat().toString()))));
      body = out;
    } else {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("agent_id", agent.agentId());
      out.put("agent_name", agent.agentName());
      out.put("status", agent.status().name());
      out.put("state", agent.state());
      out.put(
          "uptime_seconds",
          Math.max(0, Duration.between(agent.startedAt(), Instant.now()).toSeconds()));
      out.put("current_task", agent.currentTask());
      out.put("resources", agent.resources());
      out.put("last_heartbeat", agent.lastHeartbeat().toString());
      body = out;
    }
    send(exchange, agent.status().isServing() ? 200 : 503, body, ietf, "no-store");
  }

  // ---- rendering ----

  private Map<String, Object> ietfHead(HealthStatus status) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", ietfStatus(status));
    out.put("version", version);
    out.put("description", "Baton agent process");
    return out;
  }

  private static String ietfStatus(HealthStatus status) {
    return switch (status) {
      case HEALTHY -> "pass";
      case DEGRADED -> "warn";
      case UNKNOWN, UNHEALTHY -> "fail";
    };
  }

  private String cacheControl() {
    long seconds = manager.cacheFor().toSeconds();
    return seconds <= 0 ? "no-store" : "max-age=" + seconds;
  }

  private long uptimeSeconds() {
    return Math.max(0, Duration.between(manager.createdAt(), Instant.now()).toSeconds());
  }

  private static @Nullable Long count(LongSupplier supplier) {
    try {
      long value = supplier.getAsLong();
      return value < 0 ? null : value;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static @Nullable Double number(double value) {
    return Double.isNaN(value) ? null : value;
  }

  private static void send(HttpExchange exchange, int code, Object body, boolean ietf, String cache)
      throws IOException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      bytes = "{\"status\":\"UNKNOWN\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      code = 500;
    }
    exchange.getResponseHeaders().set("Content-Type", ietf ? HEALTH_JSON : "application/json");
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
    private Heartbeats.@Nullable Monitor heartbeats;
    private String version = "unknown";
    private LongSupplier pendingTasks = () -> -1;
    private LongSupplier queueDepth = () -> -1;
    private final Map<String, HttpHandler> contexts = new LinkedHashMap<>();

    Builder(HealthManager manager) {
      this.manager = manager;
    }

    /** Where to listen. Default 127.0.0.1:8081; use 0.0.0.0 for an orchestrator's probes. */
    public Builder setAddress(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The heartbeat monitor behind {@code /health/agent/{id}} and the agent counts. */
    public Builder setHeartbeats(Heartbeats.Monitor heartbeats) {
      this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
      return this;
    }

    /** The version reported. */
    public Builder setVersion(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** Where {@code pending_tasks} comes from (e.g. the total consumer lag); negative: unknown. */
    public Builder setPendingTasks(LongSupplier pendingTasks) {
      this.pendingTasks = Objects.requireNonNull(pendingTasks, "pendingTasks");
      return this;
    }

    /** Where {@code message_queue_depth} comes from; negative: unknown. */
    public Builder setQueueDepth(LongSupplier queueDepth) {
      this.queueDepth = Objects.requireNonNull(queueDepth, "queueDepth");
      return this;
    }

    /** Serves another handler on the same port, e.g. {@code /metrics}. */
    public Builder addContext(String path, HttpHandler handler) {
      if (path.equals("/") || path.startsWith("/health")) {
        throw new IllegalArgumentException("'" + path + "' is taken by the health endpoints");
      }
      contexts.put(path, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /** Starts the server. */
    public HealthServer start() throws IOException {
      return new HealthServer(this);
    }
  }
}
