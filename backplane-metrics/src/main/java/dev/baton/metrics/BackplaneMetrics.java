package dev.baton.metrics;

import dev.baton.metrics.internal.BoundMeters;
import dev.baton.metrics.internal.DestinationLabels;
import dev.baton.metrics.internal.GroupState;
import dev.baton.metrics.internal.MeterCache;
import dev.baton.metrics.internal.TagLimiter;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The backplane metrics: a Micrometer {@link MeterBinder} fed only by the {@link TransportListener}
 * SPI (it knows no broker client). Add it as a listener to every {@code Baton} whose transports it
 * should count, and bind it to a registry once:
 *
 * <pre>{@code
 * BackplaneMetrics metrics = BackplaneMetrics.builder()
 *     .addDestinationPattern("agents.tasks.*")   // label values: the pattern, not each subject
 *     .build();
 * metrics.bindTo(prometheusRegistry);
 * Baton baton = Baton.builder(openTelemetry).setAgentName("planner").addListener(metrics).build();
 * }</pre>
 *
 * <p>Meters are created the first time a label combination is seen; after that, recording a message
 * allocates nothing. Labels are bounded: destinations are normalised by the configured patterns,
 * and every label takes at most {@link Builder#setMaxTagValues} distinct values, later ones
 * becoming {@code other}; message, trace, user and session ids are never labels. Unknown values
 * (lag before anything was committed, a failed probe) are {@code NaN}, never a made-up 0. The
 * README lists every meter with its Prometheus name.
 *
 * <p>Thread-safe. {@link #close()} removes every meter it registered.
 */
public final class BackplaneMetrics implements TransportListener, MeterBinder, AutoCloseable {

  /** Histogram buckets for every duration: 1 ms to 60 s. */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private static final String SYSTEM = "messaging.system";
  private static final String DESTINATION = "messaging.destination.name";
  private static final String PARTITION = "partition";
  private static final String GROUP = "messaging.consumer.group.name";
  private static final String AGENT = "gen_ai.agent.name";
  private static final String LAG_DESCRIPTION =
      "Messages the group has not yet committed or acknowledged (NaN: unknown).";

  private final boolean partitionLabel;
  private final long stallAfterMillis;
  private final LongSupplier clock;
  private final DestinationLabels destinations;
  private final TagLimiter agents;
  private final TagLimiter groups;
  private final TagLimiter operations;
  private final TagLimiter partitions;
  private final BoundMeters bound = new BoundMeters("BackplaneMetrics");

  // ---- meter families: (label values) -> meter, created once ----

  private final MeterCache<Counter> sent =
      counters(
          "messaging.client.sent.messages",
          "Messages sent (acknowledged by the broker where it acknowledges).",
          SYSTEM,
          DESTINATION,
          AGENT,
          "outcome");
  private final MeterCache<Timer> sendDuration =
      timers(
          "messaging.client.operation.duration",
          "From the send call until the broker acknowledged (or the client took) the message.",
          SYSTEM,
          DESTINATION,
          AGENT,
          "messaging.operation.name");
  private final MeterCache<DistributionSummary> bodySize =
      new MeterCache<>(SYSTEM, DESTINATION, "direction") {
        @Override
        protected DistributionSummary create(Object r, Key k) {
          return register(
              DistributionSummary.builder("baton.message.body.size")
                  .description("Message payload sizes.")
                  .baseUnit("bytes")
                  .tags(k.tags())
                  .register((MeterRegistry) r));
        }
      };
  private final MeterCache<Counter> consumed =
      counters(
          "messaging.client.consumed.messages",
          "Messages delivered to a handler.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  private final MeterCache<Counter> redelivered =
      counters(
          "baton.redelivered.messages",
          "Deliveries of a message the handler had been given before (delivery count above 1):"
              + " retries after a failed handler, an ack that timed out, a broker restart.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  private final MeterCache<Timer> deliveryLatency =
      timers(
          "baton.delivery.latency",
          "From the sender's sent-at stamp until the message reached the receiver.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  private final MeterCache<Counter> processed =
      counters(
          "baton.processed.messages",
          "Messages handled, by outcome: success (acknowledged), failure (redelivered),"
              + " dead_lettered (given up).",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT,
          "outcome");
  private final MeterCache<Timer> processDuration =
      timers(
          "messaging.process.duration",
          "How long handlers ran.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  private final MeterCache<Counter> handlerCpu =
      unitCounters(
          "baton.handler.cpu.time",
          "seconds",
          "CPU time the agent's handlers spent on this destination's messages (the handler"
              + " thread's, from the JVM's per-thread counter).",
          SYSTEM,
          DESTINATION,
          AGENT);
  private final MeterCache<Counter> handlerAllocated =
      unitCounters(
          "baton.handler.allocated",
          "bytes",
          "Bytes the agent's handlers allocated for this destination's messages (the handler"
              + " thread's, from the JVM's per-thread counter).",
          SYSTEM,
          DESTINATION,
          AGENT);
  private final MeterCache<Counter> agentMessages =
      counters(
          "baton.agent.messages",
          "Messages from one agent to another: the communication graph.",
          SYSTEM,
          "from_agent",
          "to_agent");
  private final MeterCache<Counter> connectionEvents =
      counters(
          "baton.connection.events",
          "Connection events: connected, disconnected, reconnected, closed, slow_consumer, stalled,"
              + " error.",
          SYSTEM,
          "event");
  private final MeterCache<Counter> rejected =
      counters(
          "baton.rejected.contexts",
          "Propagated context Baton rejected (inbound) or left off (outbound), by reason.",
          SYSTEM,
          "reason",
          "direction");
  private final MeterCache<Counter> failures =
      counters(
          "baton.telemetry.failures",
          "Failures inside Baton's own instrumentation (contained; the messages went on)."
              + " operation=backlog counts failed probes.",
          SYSTEM,
          "operation");
  private final MeterCache<Counter> permissionDenials =
      counters(
          "baton.permission.denials",
          "Calls Baton makes for its own features (backlog probes, checks) that the broker refused"
              + " for want of a permission, once per refusal; the feature is off meanwhile.",
          SYSTEM,
          "feature");
  private final Map<String, PermissionChange> denied = new ConcurrentHashMap<>();
  private final MeterCache<AtomicReference<Double>> connectionUp =
      new MeterCache<>(SYSTEM) {
        @Override
        protected AtomicReference<Double> create(Object r, Key k) {
          AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
          register(
              Gauge.builder("baton.connection.up", holder, AtomicReference::get)
                  .description(
                      "1 while the broker connection is up, 0 while it is down, NaN before anything"
                          + " is known.")
                  .tags(k.tags())
                  .register((MeterRegistry) r));
          return holder;
        }
      };
  private final MeterCache<GroupState> groupStates =
      new MeterCache<>(SYSTEM, DESTINATION, GROUP) {
        @Override
        protected GroupState create(Object registry, Key k) {
          return newGroupState((MeterRegistry) registry, k);
        }
      };
  private final MeterCache<Gauge> partitionLag =
      new MeterCache<>(SYSTEM, DESTINATION, GROUP, PARTITION) {
        @Override
        protected Gauge create(Object r, Key k) {
          GroupState state =
              groupState((MeterRegistry) r, k.value(SYSTEM), k.value(DESTINATION), k.value(GROUP));
          String partition = k.value(PARTITION);
          return register(
              Gauge.builder("baton.consumer.lag", state, s -> s.partitionLag(partition))
                  .description(LAG_DESCRIPTION)
                  .baseUnit("messages")
                  .tags(k.tags())
                  .register((MeterRegistry) r));
        }
      };

  private BackplaneMetrics(Builder b) {
    this.partitionLabel = b.partitionLabel;
    this.stallAfterMillis = b.stallAfter.toMillis();
    this.clock = b.clock;
    this.destinations = new DestinationLabels(b.patterns, b.maxTagValues);
    this.agents = new TagLimiter(b.maxTagValues);
    this.groups = new TagLimiter(b.maxTagValues);
    this.operations = new TagLimiter(b.maxTagValues);
    this.partitions = new TagLimiter(b.maxTagValues);
  }

  /** A builder with the defaults: no patterns, 100 values per label, stall after 60 s. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers nothing yet: meters appear as events arrive. Binds to one registry: binding to the
   * same one again does nothing (a framework that binds every {@code MeterBinder} bean may do it
   * too), to another one throws.
   */
  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    bound.bind(meterRegistry);
  }

  /**
   * The status of {@code group} on {@code destination} ({@link ConsumerStatus#OK} when nothing is
   * known about it), for health checks.
   */
  public ConsumerStatus status(String system, String destination, String group) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return ConsumerStatus.OK;
    }
    GroupState state = groupState(r, system, destination(destination), groups.limit(group));
    return state.status(clock.getAsLong(), stallAfterMillis);
  }

  /** One consumer group's figures, as the backlog check reads them. */
  record GroupView(
      String system,
      String destination,
      String group,
      double lag,
      double lagSeconds,
      double queueMessages,
      ConsumerStatus status) {}

  /** Every group known so far, with its figures now. */
  List<GroupView> groups() {
    List<GroupView> views = new ArrayList<>();
    long now = clock.getAsLong();
    groupStates.forEach(
        (k, state) ->
            views.add(
                new GroupView(
                    k.value(SYSTEM),
                    k.value(DESTINATION),
                    k.value(GROUP),
                    state.lag(),
                    state.lagSeconds(),
                    state.queueMessages(),
                    state.status(now, stallAfterMillis))));
    return views;
  }

  /** The total lag over every group whose lag is known, or -1 when none is (for health). */
  public long totalLag() {
    return sumKnown(GroupState::lag);
  }

  /** The messages every subscription holds unhandled in the client, or -1 when unknown. */
  public long totalQueueDepth() {
    return sumKnown(GroupState::queueMessages);
  }

  private long sumKnown(ToDoubleFunction<GroupState> value) {
    double[] total = {0};
    boolean[] known = {false};
    groupStates.forEach(
        (k, state) -> {
          double v = value.applyAsDouble(state);
          if (!Double.isNaN(v)) {
            total[0] += v;
            known[0] = true;
          }
        });
    return known[0] ? (long) total[0] : -1;
  }

  /** Removes every meter this binder registered. */
  @Override
  public void close() {
    bound.removeAll();
  }

  // ---- the listener SPI: on the message path, allocation-free once the meters exist ----

  @Override
  public void onSent(Sent e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String agent = agents.limit(e.agent());
    String outcome = e.errorType() == null ? "success" : "failure";
    sent.get(r, e.system(), destination, agent, outcome, "").increment();
    sendDuration
        .get(r, e.system(), destination, agent, "send", "")
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    bodySize.get(r, e.system(), destination, "sent", "", "").record(e.payloadBytes());
  }

  @Override
  public void onReceived(Received e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String group = groups.limit(e.group());
    String agent = agents.limit(e.agent());
    consumed.get(r, e.system(), destination, group, agent, "").increment();
    if (e.deliveryCount() > 1) {
      redelivered.get(r, e.system(), destination, group, agent, "").increment();
    }
    bodySize.get(r, e.system(), destination, "received", "", "").record(e.payloadBytes());
    if (e.deliveryLatencyNanos() >= 0) {
      deliveryLatency
          .get(r, e.system(), destination, group, agent, "")
          .record(e.deliveryLatencyNanos(), TimeUnit.NANOSECONDS);
    }
    String from = e.senderAgent() == null ? "unknown" : agents.limit(e.senderAgent());
    agentMessages.get(r, e.system(), from, agent, "", "").increment();
  }

  @Override
  public void onProcessed(Processed e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String group = groups.limit(e.group());
    String agent = agents.limit(e.agent());
    String outcome =
        e.outcome() == Outcome.ACK
            ? "success"
            : e.outcome() == Outcome.NAK ? "failure" : "dead_lettered";
    processed.get(r, e.system(), destination, group, agent, outcome).increment();
    processDuration
        .get(r, e.system(), destination, group, agent, "")
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    if (e.cpuNanos() >= 0) {
      handlerCpu.get(r, e.system(), destination, agent, "", "").increment(e.cpuNanos() / 1e9);
    }
    if (e.allocatedBytes() >= 0) {
      handlerAllocated.get(r, e.system(), destination, agent, "", "").increment(e.allocatedBytes());
    }
    if (e.outcome() == Outcome.ACK) {
      groupState(r, e.system(), destination, group).processedSuccessfully(clock.getAsLong());
    }
  }

  // ---- probes and events: off the message path ----

  @Override
  public void onBacklog(Backlog e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String group = groups.limit(e.group());
    String partition = partitions.limit(e.partition());
    groupState(r, e.system(), destination, group)
        .backlog(
            partition,
            e.lagMessages(),
            e.ackPending(),
            e.lagSeconds(),
            e.position(),
            clock.getAsLong());
    if (partitionLabel) {
      partitionLag.get(r, e.system(), destination, group, partition, "");
    }
  }

  @Override
  public void onQueueDepth(QueueDepth e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    groupState(r, e.system(), destination(e.destination()), groups.limit(e.group()))
        .queueDepth(e.messages(), e.bytes());
  }

  @Override
  public void onConnection(ConnectionChange e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String event = e.event().name().toLowerCase(Locale.ROOT);
    connectionEvents.get(r, e.system(), event, "", "", "").increment();
    AtomicReference<Double> up = connectionUp.get(r, e.system(), "", "", "", "");
    switch (e.event()) {
      case CONNECTED, RECONNECTED -> up.set(1.0);
      case DISCONNECTED, CLOSED -> up.set(0.0);
      default -> {}
    }
  }

  @Override
  public void onSubscription(SubscriptionChange e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    GroupState state =
        groupState(r, e.system(), destination(e.destination()), groups.limit(e.group()));
    if (e.state() == SubscriptionState.STARTED) {
      state.subscriptionStarted(clock.getAsLong());
    } else {
      state.subscriptionEnded();
    }
  }

  @Override
  public void onRejectedContext(RejectedContext e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String reason = e.reason().name().toLowerCase(Locale.ROOT);
    rejected.get(r, e.system(), reason, e.inbound() ? "inbound" : "outbound", "", "").increment();
  }

  @Override
  public void onTelemetryFailure(TelemetryFailure e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    failures.get(r, e.system(), operations.limit(e.operation()), "", "", "").increment();
  }

  @Override
  public void onPermission(PermissionChange e) {
    String key = e.system() + '\u0000' + e.feature() + '\u0000' + e.target();
    if (!e.denied()) {
      denied.remove(key);
      return;
    }
    if (denied.size() < 256) {
      denied.put(key, e);
    }
    MeterRegistry r = bound.registry();
    if (r != null) {
      permissionDenials.get(r, e.system(), operations.limit(e.feature()), "", "", "").increment();
    }
  }

  /** The calls the broker refuses now, for {@link BackplaneChecks#permissions}. */
  List<PermissionChange> refusals() {
    return List.copyOf(denied.values());
  }

  // ---- meters ----

  private GroupState groupState(MeterRegistry r, String system, String destination, String group) {
    return groupStates.get(r, system, destination, group, "", "");
  }

  private GroupState newGroupState(MeterRegistry r, MeterCache<GroupState>.Key k) {
    GroupState state = new GroupState(clock.getAsLong());
    Tags tags = k.tags();
    if (!partitionLabel) {
      register(
          Gauge.builder("baton.consumer.lag", state, GroupState::lag)
              .description(LAG_DESCRIPTION)
              .baseUnit("messages")
              .tags(tags)
              .register(r));
    }
    register(
        Gauge.builder("baton.consumer.ack.pending", state, GroupState::ackPending)
            .description("JetStream: delivered but not yet acknowledged (NaN elsewhere).")
            .baseUnit("messages")
            .tags(tags)
            .register(r));
    register(
        TimeGauge.builder(
                "baton.consumer.lag.time", state, TimeUnit.SECONDS, GroupState::lagSeconds)
            .description(
                "Age of the oldest message the group has not yet committed or acknowledged; 0 when"
                    + " caught up.")
            .tags(tags)
            .register(r));
    register(
        Gauge.builder(
                "baton.consumer.last.processed.timestamp", state, GroupState::lastSuccessSeconds)
            .description(
                "When a message was last processed successfully, in seconds since the epoch.")
            .baseUnit("seconds")
            .tags(tags)
            .register(r));
    register(
        Gauge.builder(
                "baton.consumer.status",
                state,
                s -> s.status(clock.getAsLong(), stallAfterMillis).ordinal())
            .description(
                "0 OK, 1 WARN (lag growing), 2 STALLED (behind, nothing processed), 3 STOPPED (no"
                    + " subscription running).")
            .tags(tags)
            .register(r));
    register(
        Gauge.builder("baton.queue.depth", state, GroupState::queueMessages)
            .description("Messages buffered in the client, not yet handled.")
            .baseUnit("messages")
            .tags(tags)
            .register(r));
    register(
        Gauge.builder("baton.queue.depth.bytes", state, GroupState::queueBytes)
            .description("Bytes buffered in the client, not yet handled.")
            .baseUnit("bytes")
            .tags(tags)
            .register(r));
    return state;
  }

  /** A family of counters whose label keys are {@code keys} (up to five). */
  private MeterCache<Counter> counters(String name, String description, String... labels) {
    return unitCounters(name, null, description, labels);
  }

  /** A family of counters in {@code unit} (none: null) whose label keys are {@code keys}. */
  private MeterCache<Counter> unitCounters(
      String name, @Nullable String unit, String description, String... labels) {
    return new MeterCache<>(labels) {
      @Override
      protected Counter create(Object r, Key k) {
        return register(
            Counter.builder(name)
                .description(description)
                .baseUnit(unit)
                .tags(k.tags())
                .register((MeterRegistry) r));
      }
    };
  }

  /** A family of timers with the 1 ms - 60 s buckets whose label keys are {@code keys}. */
  private MeterCache<Timer> timers(String name, String description, String... labels) {
    return new MeterCache<>(labels) {
      @Override
      protected Timer create(Object r, Key k) {
        return register(
            Timer.builder(name)
                .description(description)
                .tags(k.tags())
                .serviceLevelObjectives(BUCKETS)
                .minimumExpectedValue(BUCKETS[0])
                .maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
                .register((MeterRegistry) r));
      }
    };
  }

  private <M extends Meter> M register(M meter) {
    return bound.add(meter);
  }

  private String destination(String destination) {
    return destinations.label(destination);
  }

  /** Builds {@link BackplaneMetrics}. Not thread-safe. */
  public static final class Builder {
    private final List<String> patterns = new ArrayList<>();
    private int maxTagValues = 100;
    private boolean partitionLabel;
    private Duration stallAfter = Duration.ofSeconds(60);
    private LongSupplier clock = System::currentTimeMillis;

    Builder() {}

    /**
     * Destinations matching {@code pattern} (NATS wildcards: {@code *} one token, {@code >} the
     * rest) are labelled with the pattern itself, e.g. {@code agents.tasks.*}. First match wins.
     */
    public Builder addDestinationPattern(String pattern) {
      Objects.requireNonNull(pattern, "pattern");
      DestinationLabels.check(pattern);
      patterns.add(pattern);
      return this;
    }

    /** At most this many distinct values per label; later ones become {@code other}. */
    public Builder setMaxTagValues(int maxTagValues) {
      this.maxTagValues = maxTagValues;
      return this;
    }

    /** Label Kafka lag by partition ({@code partition}); off by default. */
    public Builder setPartitionLabel(boolean partitionLabel) {
      this.partitionLabel = partitionLabel;
      return this;
    }

    /** A group behind with nothing processed for this long is STALLED. Default 60 s. */
    public Builder setStallAfter(Duration stallAfter) {
      this.stallAfter = Objects.requireNonNull(stallAfter, "stallAfter");
      return this;
    }

    /** The wall clock in epoch milliseconds (tests). */
    Builder setClock(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds it; throws {@link IllegalArgumentException} on a bad setting. */
    public BackplaneMetrics build() {
      if (maxTagValues < 1) {
        throw new IllegalArgumentException("maxTagValues must be at least 1, was " + maxTagValues);
      }
      if (stallAfter.isNegative() || stallAfter.isZero()) {
        throw new IllegalArgumentException("stallAfter must be positive, was " + stallAfter);
      }
      return new BackplaneMetrics(this);
    }
  }
}
