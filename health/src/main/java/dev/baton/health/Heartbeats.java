package dev.baton.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.health.internal.ProcessFigures;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.internal.DaemonThreads;
import dev.baton.transport.internal.Redaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-agent heartbeats over the bus, through the traced transport: each agent publishes a small
 * JSON heartbeat every interval with {@link #publish}; a {@link Monitor} (one per process that
 * serves health) listens with {@link #monitor} and calls an agent UNHEALTHY once three of its
 * intervals pass without a heartbeat.
 */
public final class Heartbeats {

  /** Where heartbeats go unless told otherwise; one destination for NATS and Kafka alike. */
  public static final String DESTINATION = "baton.heartbeats";

  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Heartbeats() {}

  /**
   * Starts publishing heartbeats for one agent every {@code interval} to {@link #DESTINATION}. The
   * caller closes the returned publisher when the agent stops.
   */
  public static HeartbeatPublisher publish(
      Publisher publisher, String agentId, String agentName, Duration interval) {
    return new HeartbeatPublisher(publisher, DESTINATION, agentId, agentName, interval);
  }

  /** Starts listening to heartbeats on {@link #DESTINATION}. The caller closes the monitor. */
  public static Monitor monitor(Subscriber subscriber) {
    return new Monitor(subscriber, DESTINATION, Clock.systemUTC());
  }

  /** Publishes one agent's heartbeats. Thread-safe; owns a scheduler thread: close it. */
  public static final class HeartbeatPublisher implements AutoCloseable {
    private final Publisher publisher;
    private final String destination;
    private final String agentId;
    private final String agentName;
    private final Duration interval;
    private final Instant startedAt = Instant.now();
    private final AtomicReference<String> state = new AtomicReference<>("idle");
    private final AtomicReference<@Nullable String> currentTask = new AtomicReference<>();
    private final ScheduledExecutorService scheduler;

    HeartbeatPublisher(
        Publisher publisher,
        String destination,
        String agentId,
        String agentName,
        Duration interval) {
      this.publisher = Objects.requireNonNull(publisher, "publisher");
      this.destination = destination;
      this.agentId = Objects.requireNonNull(agentId, "agentId");
      this.agentName = Objects.requireNonNull(agentName, "agentName");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive, was " + interval);
      }
      this.interval = interval;
      this.scheduler =
          Executors.newSingleThreadScheduledExecutor(
              DaemonThreads.named("baton-heartbeat-" + agentName));
      scheduler.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the agent is doing now ({@code idle}, {@code working}, ...). */
    public void setState(String state) {
      this.state.set(Objects.requireNonNull(state, "state"));
    }

    /** The task the agent works on, or {@code null}. Never put secrets or user data here. */
    public void setCurrentTask(@Nullable String task) {
      this.currentTask.set(task);
    }

    private void beat() {
      try {
        Map<String, Object> beat = new LinkedHashMap<>();
        beat.put("agent_id", agentId);
        beat.put("agent_name", agentName);
        beat.put("state", state.get());
        beat.put("current_task", currentTask.get());
        beat.put("started_at", startedAt.toString());
        beat.put("timestamp", Instant.now().toString());
        beat.put("interval_ms", interval.toMillis());
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("cpu_usage_percent", ProcessFigures.cpuUsagePercent());
        resources.put("memory_usage_mb", ProcessFigures.memoryUsageMb());
        beat.put("resources", resources);
        publisher.publish(OutboundMessage.of(destination, JSON.writeValueAsBytes(beat)));
      } catch (Exception e) {
        log.debug("heartbeat of {} not sent: {}", agentName, Redaction.describe(e));
      }
    }

    /** Stops the heartbeats: the monitor sees the agent turn UNHEALTHY after three intervals. */
    @Override
    public void close() {
      scheduler.shutdownNow();
    }
  }

  /** Keeps the last heartbeat of every agent. Thread-safe; close it to unsubscribe. */
  public static final class Monitor implements AutoCloseable {
    private final Subscription subscription;
    private final Clock clock;
    private final Map<String, Beat> beats = new ConcurrentHashMap<>();

    private record Beat(JsonNode json, Instant receivedAt, long intervalMillis) {}

    Monitor(Subscriber subscriber, String destination, Clock clock) {
      this.clock = clock;
      this.subscription = subscriber.subscribe(destination, this::onBeat);
    }

    /** The subscription the heartbeats arrive on (to wait for it to be ready). */
    public Subscription subscription() {
      return subscription;
    }

    private void onBeat(Message message) {
      try {
        JsonNode json = JSON.readTree(message.payload());
        String id = json.path("agent_id").asText("");
        if (id.isEmpty() || id.length() > 256) {
          return;
        }
        long interval = Math.max(1, json.path("interval_ms").asLong(5000));
        beats.put(id, new Beat(json, clock.instant(), interval));
      } catch (Exception e) {
        log.debug("ignored a malformed heartbeat: {}", e.getClass().getName());
      }
    }

    /** The agent's health, or {@code null} when it never sent a heartbeat. */
    public @Nullable AgentHealth agent(String agentId) {
      Beat beat = beats.get(agentId);
      return beat == null ? null : toHealth(agentId, beat);
    }

    /** Every agent seen. */
    public List<AgentHealth> agents() {
      List<AgentHealth> agents = new ArrayList<>();
      beats.forEach((id, beat) -> agents.add(toHealth(id, beat)));
      return agents;
    }

    /** How many agents are HEALTHY. */
    public int activeAgents() {
      return (int) agents().stream().filter(a -> a.status() == HealthStatus.HEALTHY).count();
    }

    private AgentHealth toHealth(String id, Beat beat) {
      Instant now = clock.instant();
      boolean missed = Duration.between(beat.receivedAt, now).toMillis() > 3 * beat.intervalMillis;
      Map<String, Object> resources = new LinkedHashMap<>();
      beat.json
          .path("resources")
          .fields()
          .forEachRemaining(
              e ->
                  resources.put(
                      e.getKey(),
                      e.getValue().isNumber()
                          ? e.getValue().numberValue()
                          : e.getValue().asText()));
      Instant started;
      try {
        started = Instant.parse(beat.json.path("started_at").asText());
      } catch (RuntimeException e) {
        started = beat.receivedAt;
      }
      JsonNode task = beat.json.path("current_task");
      return new AgentHealth(
          id,
          beat.json.path("agent_name").asText(id),
          missed ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY,
          beat.json.path("state").asText("unknown"),
          task.isTextual() ? task.asText() : null,
          started,
          beat.receivedAt,
          resources);
    }

    @Override
    public void close() {
      subscription.close();
    }
  }
}
