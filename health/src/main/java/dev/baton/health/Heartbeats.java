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
    return new HeartbeatPublisher(publisher, DESTINATION, agentId, agentName, interval, 1);
  }

  /**
   * {@link #publish(Publisher, String, String, Duration)} for an agent that knows how many times it
   * has started under this id, this start included ({@code startCount}, from wherever the
   * application keeps it: a database row, a file). The monitors take the larger of this count and
   * the restarts they saw themselves, so the count survives a restart of the monitoring process
   * too.
   */
  public static HeartbeatPublisher publish(
      Publisher publisher, String agentId, String agentName, Duration interval, long startCount) {
    if (startCount < 1) {
      throw new IllegalArgumentException("startCount must be at least 1, was " + startCount);
    }
    return new HeartbeatPublisher(publisher, DESTINATION, agentId, agentName, interval, startCount);
  }

  /** Starts listening to heartbeats on {@link #DESTINATION}. The caller closes the monitor. */
  public static Monitor monitor(Subscriber subscriber) {
    return new Monitor(subscriber, DESTINATION, Clock.systemUTC());
  }

  /**
   * Publishes one agent's heartbeats: its lifecycle state ({@link AgentState}, {@code starting}
   * until the agent says otherwise) with the time it entered it, the time spent in each state so
   * far, its current task, its start count and its resources. Thread-safe; owns a scheduler thread:
   * close it (which reports {@code stopping} in one last heartbeat).
   */
  public static final class HeartbeatPublisher implements AutoCloseable {
    private final Publisher publisher;
    private final String destination;
    private final String agentId;
    private final String agentName;
    private final Duration interval;
    private final long startCount;
    private final Instant startedAt = Instant.now();
    private final Object stateLock = new Object();
    private AgentState state = AgentState.STARTING;
    private long stateSinceMillis = startedAt.toEpochMilli();
    private final long[] millisIn = new long[AgentState.values().length];
    private long lastEagerBeatMillis;
    private @Nullable String currentTask;
    private final ScheduledExecutorService scheduler;

    HeartbeatPublisher(
        Publisher publisher,
        String destination,
        String agentId,
        String agentName,
        Duration interval,
        long startCount) {
      this.publisher = Objects.requireNonNull(publisher, "publisher");
      this.destination = destination;
      this.agentId = Objects.requireNonNull(agentId, "agentId");
      this.agentName = Objects.requireNonNull(agentName, "agentName");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive, was " + interval);
      }
      this.interval = interval;
      this.startCount = startCount;
      this.scheduler =
          Executors.newSingleThreadScheduledExecutor(
              DaemonThreads.named("baton-heartbeat-" + agentName));
      scheduler.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Where the agent is in its lifecycle now. Cheap (a lock and a clock read), so it may be called
     * around every message; the next heartbeat reports it with the time it was entered. Entering
     * {@link AgentState#ERROR} sends a heartbeat at once (at most one such per interval), so a
     * failure shows even when the agent moves on before the next one.
     */
    public void setState(AgentState next) {
      Objects.requireNonNull(next, "next");
      boolean beatNow;
      synchronized (stateLock) {
        beatNow = enter(next);
      }
      if (beatNow) {
        beat(); // on this thread, so it says error even if the next message comes at once
      }
    }

    /**
     * {@link #setState(AgentState)} and {@link #setCurrentTask(String)} in one step: no heartbeat
     * reports the new state with the previous task, or the new task with the previous state.
     */
    public void setState(AgentState next, @Nullable String task) {
      Objects.requireNonNull(next, "next");
      boolean beatNow;
      synchronized (stateLock) {
        currentTask = task;
        beatNow = enter(next);
      }
      if (beatNow) {
        beat();
      }
    }

    /** Enters {@code next} under {@link #stateLock}; true when a heartbeat should go out now. */
    private boolean enter(AgentState next) {
      if (next == state) {
        return false;
      }
      long now = System.currentTimeMillis();
      millisIn[state.ordinal()] += Math.max(0, now - stateSinceMillis);
      state = next;
      stateSinceMillis = now;
      if (next == AgentState.ERROR && now - lastEagerBeatMillis >= interval.toMillis()) {
        lastEagerBeatMillis = now;
        return true;
      }
      return false;
    }

    /** The state last set. */
    public AgentState state() {
      synchronized (stateLock) {
        return state;
      }
    }

    /** The task the agent works on, or {@code null}. Never put secrets or user data here. */
    public void setCurrentTask(@Nullable String task) {
      synchronized (stateLock) {
        currentTask = task;
      }
    }

    private void beat() {
      try {
        Map<String, Object> beat = new LinkedHashMap<>();
        beat.put("agent_id", agentId);
        beat.put("agent_name", agentName);
        Map<String, Object> seconds = new LinkedHashMap<>();
        @Nullable String task;
        synchronized (stateLock) {
          long now = System.currentTimeMillis();
          task = currentTask;
          beat.put("state", state.wireName());
          beat.put("state_since", Instant.ofEpochMilli(stateSinceMillis).toString());
          for (AgentState s : AgentState.values()) {
            long millis = millisIn[s.ordinal()] + (s == state ? now - stateSinceMillis : 0);
            seconds.put(s.wireName(), millis / 1000.0);
          }
        }
        beat.put("state_seconds", seconds);
        beat.put("start_count", startCount);
        beat.put("current_task", task);
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

    /**
     * Reports {@code stopping} in one last heartbeat and stops: the monitor sees the agent turn
     * UNHEALTHY after three intervals.
     */
    @Override
    public void close() {
      setState(AgentState.STOPPING);
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      beat();
    }
  }

  /** Keeps the last heartbeat of every agent. Thread-safe; close it to unsubscribe. */
  public static final class Monitor implements AutoCloseable {
    private final Subscription subscription;
    private final Clock clock;
    private final Map<String, Beat> beats = new ConcurrentHashMap<>();
    private final Map<String, Boolean> names = new ConcurrentHashMap<>();
    private final List<java.util.function.Consumer<String>> nameListeners =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * The last heartbeat of one agent id, the starts seen (the first heartbeat is one start, each
     * new {@code started_at} another) and the seconds per state its earlier runs reported.
     */
    private record Beat(
        JsonNode json,
        Instant receivedAt,
        long intervalMillis,
        String startedAt,
        long starts,
        Map<String, Double> earlierRuns) {}

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
        String startedAt = json.path("started_at").asText("");
        Instant now = clock.instant();
        beats.compute(
            id,
            (k, before) -> {
              if (before == null) {
                return new Beat(json, now, interval, startedAt, 1, Map.of());
              }
              if (before.startedAt.equals(startedAt)) {
                return new Beat(json, now, interval, startedAt, before.starts, before.earlierRuns);
              }
              // A restart: what the previous run reported is kept, the new run counts from 0.
              return new Beat(
                  json, now, interval, startedAt, before.starts + 1, stateSeconds(before));
            });
        String name = json.path("agent_name").asText(id);
        if (name.length() <= 128 && names.putIfAbsent(name, Boolean.TRUE) == null) {
          nameListeners.forEach(l -> l.accept(name));
        }
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

    /**
     * Calls {@code listener} with each agent name the first time a heartbeat of it arrives, and at
     * once with every name already seen (for meters per agent name).
     */
    public void addNameListener(java.util.function.Consumer<String> listener) {
      Objects.requireNonNull(listener, "listener");
      nameListeners.add(listener);
      names.keySet().forEach(listener);
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
      Instant stateSince;
      try {
        stateSince = Instant.parse(beat.json.path("state_since").asText());
      } catch (RuntimeException e) {
        stateSince = beat.receivedAt;
      }
      Map<String, Double> stateSeconds = stateSeconds(beat);
      long starts = Math.max(beat.starts, Math.max(1, beat.json.path("start_count").asLong(1)));
      return new AgentHealth(
          id,
          beat.json.path("agent_name").asText(id),
          missed ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY,
          beat.json.path("state").asText("unknown"),
          task.isTextual() ? task.asText() : null,
          started,
          beat.receivedAt,
          resources,
          stateSince,
          starts,
          stateSeconds);
    }

    /** The seconds per state of every run of the agent this monitor saw, the last one included. */
    private static Map<String, Double> stateSeconds(Beat beat) {
      Map<String, Double> seconds = new LinkedHashMap<>(beat.earlierRuns);
      beat.json
          .path("state_seconds")
          .fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isNumber() && AgentState.parse(e.getKey()) != null) {
                  seconds.merge(e.getKey(), e.getValue().asDouble(), Double::sum);
                }
              });
      return Map.copyOf(seconds);
    }

    @Override
    public void close() {
      subscription.close();
    }
  }
}
