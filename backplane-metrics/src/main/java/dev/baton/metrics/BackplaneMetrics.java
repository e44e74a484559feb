package dev.baton.metrics;

import dev.baton.metrics.internal.GroupState;
import dev.baton.metrics.internal.MeterCache;
import dev.baton.metrics.internal.TagLimiter;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener;
import dev.baton.transport.internal.DestinationPattern;
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
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
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
 * <p>Meters are created the first time a label combination is seen and looked up without allocating
 * afterwards. Labels are bounded: destinations are normalised by the configured patterns, and every
 * label takes at most {@link Builder#setMaxTagValues} distinct values, later ones becoming {@code
 * other}; message, trace, user and session ids are never labels. Unknown values (lag before
 * anything was committed, a failed probe) are {@code NaN}, never a made-up 0. The README lists
 * every meter with its Prometheus name.
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
  private static final String GROUP = "messaging.consumer.group.name";
  private static final String AGENT = "gen_ai.agent.name";
  private static final int NORMALIZED_CACHE = 10_000;

  private final List<Pattern> patterns;
  private final boolean partitionLabel;
  private final long stallAfterMillis;
  private final LongSupplier clock;
  private final TagLimiter destinations;
  private final TagLimiter agents;
  private final TagLimiter groups;
  private final TagLimiter errors;
  private final TagLimiter partitions;
  private final Map<String, String> normalized = new ConcurrentHashMap<>();
  private final AtomicReference<@Nullable MeterRegistry> registry = new AtomicReference<>();
  private final List<Meter> registered = new CopyOnWriteArrayList<>();

  private final MeterCache<Counter> sent = new MeterCache<>();
  private final MeterCache<Timer> sendDuration = new MeterCache<>();
  private final MeterCache<DistributionSummary> bodySize = new MeterCache<>();
  private final MeterCache<Counter> consumed = new MeterCache<>();
  private final MeterCache<Timer> deliveryLatency = new MeterCache<>();
  private final MeterCache<Counter> processed = new MeterCache<>();
  private final MeterCache<Timer> processDuration = new MeterCache<>();
  private final MeterCache<Counter> agentMessages = new MeterCache<>();
  private final MeterCache<Counter> connectionEvents = new MeterCache<>();
  private final MeterCache<AtomicReference<Double>> connectionUp = new MeterCache<>();
  private final MeterCache<Counter> rejected = new MeterCache<>();
  private final MeterCache<Counter> failures = new MeterCache<>();
  private final MeterCache<GroupState> groupStates = new MeterCache<>();
  private final MeterCache<Gauge> partitionGauges = new MeterCache<>();

  private record Pattern(DestinationPattern matcher, String label) {}

  private BackplaneMetrics(Builder b) {
    this.patterns = List.copyOf(b.patterns);
    this.partitionLabel = b.partitionLabel;
    this.stallAfterMillis = b.stallAfter.toMillis();
    this.clock = b.clock;
    this.destinations = new TagLimiter(b.maxTagValues);
    this.agents = new TagLimiter(b.maxTagValues);
    this.groups = new TagLimiter(b.maxTagValues);
    this.errors = new TagLimiter(b.maxTagValues);
    this.partitions = new TagLimiter(b.maxTagValues);
  }

  /** A builder with the defaults: no patterns, 100 values per label, stall after 60 s. */
  public static Builder builder() {
    return new Builder();
  }

  /** Registers nothing yet: meters appear as events arrive. Binds once; a second call throws. */
  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    if (!registry.compareAndSet(null, meterRegistry)) {
      throw new IllegalStateException("BackplaneMetrics is already bound to a registry");
    }
  }

  /**
   * The status of {@code group} on {@code destination} ({@link ConsumerStatus#OK} when nothing is
   * known about it), for health checks.
   */
  public ConsumerStatus status(String system, String destination, String group) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return ConsumerStatus.OK;
    }
    GroupState state = groupState(r, system, destination(destination), groups.limit(group));
    return ConsumerStatus.values()[state.status(clock.getAsLong(), stallAfterMillis)];
  }

  /** Removes every meter this binder registered. */
  @Override
  public void close() {
    MeterRegistry r = registry.get();
    if (r != null) {
      registered.forEach(r::remove);
    }
    registered.clear();
  }

  // ---- the listener SPI ----

  @Override
  public void onSent(Sent e) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String agent = agents.limit(e.agent());
    String outcome = e.errorType() == null ? "success" : "failure";
    sent.get(
            e.system(),
            destination,
            agent,
            outcome,
            "",
            k ->
                counter(
                    r,
                    "messaging.client.sent.messages",
                    "Messages sent (acknowledged by the broker where it acknowledges).",
                    Tags.of(SYSTEM, k.a, DESTINATION, k.b, AGENT, k.c, "outcome", k.d)))
        .increment();
    sendDuration
        .get(
            e.system(),
            destination,
            agent,
            "",
            "",
            k ->
                timer(
                    r,
                    "messaging.client.operation.duration",
                    "From the send call until the broker acknowledged (or the client took) the message.",
                    Tags.of(
                        SYSTEM,
                        k.a,
                        DESTINATION,
                        k.b,
                        AGENT,
                        k.c,
                        "messaging.operation.name",
                        "send")))
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    bodySize(r, e.system(), destination, "sent").record(e.payloadBytes());
  }

  @Override
  public void onReceived(Received e) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String group = groups.limit(e.group());
    String agent = agents.limit(e.agent());
    consumed
        .get(
            e.system(),
            destination,
            group,
            agent,
            "",
            k ->
                counter(
                    r,
                    "messaging.client.consumed.messages",
                    "Messages delivered to a handler.",
                    Tags.of(SYSTEM, k.a, DESTINATION, k.b, GROUP, k.c, AGENT, k.d)))
        .increment();
    bodySize(r, e.system(), destination, "received").record(e.payloadBytes());
    if (e.deliveryLatencyNanos() >= 0) {
      deliveryLatency
          .get(
              e.system(),
              destination,
              group,
              agent,
              "",
              k ->
                  timer(
                      r,
                      "baton.delivery.latency",
                      "From the sender's sent-at stamp until the message reached the receiver.",
                      Tags.of(SYSTEM, k.a, DESTINATION, k.b, GROUP, k.c, AGENT, k.d)))
          .record(e.deliveryLatencyNanos(), TimeUnit.NANOSECONDS);
    }
    String from = e.senderAgent() == null ? "unknown" : agents.limit(e.senderAgent());
    agentMessages
        .get(
            e.system(),
            from,
            agent,
            "",
            "",
            k ->
                counter(
                    r,
                    "baton.agent.messages",
                    "Messages from one agent to another: the communication graph.",
                    Tags.of(SYSTEM, k.a, "from_agent", k.b, "to_agent", k.c)))
        .increment();
  }

  @Override
  public void onProcessed(Processed e) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String group = groups.limit(e.group());
    String agent = agents.limit(e.agent());
    String outcome =
        e.outcome() == Outcome.ACK
            ? "success"
            : e.outcome() == Outcome.NAK ? "failure" : "rejected";
    processed
        .get(
            e.system(),
            destination,
            group,
            agent,
            outcome,
            k ->
                counter(
                    r,
                    "baton.processed.messages",
                    "Messages handled, by outcome: success (acknowledged), failure (redelivered), rejected (given up: dead-lettered).",
                    Tags.of(SYSTEM, k.a, DESTINATION, k.b, GROUP, k.c, AGENT, k.d, "outcome", k.e)))
        .increment();
    processDuration
        .get(
            e.system(),
            destination,
            group,
            agent,
            "",
            k ->
                timer(
                    r,
                    "messaging.process.duration",
                    "How long handlers ran.",
                    Tags.of(SYSTEM, k.a, DESTINATION, k.b, GROUP, k.c, AGENT, k.d)))
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    if (e.outcome() == Outcome.ACK) {
      groupState(r, e.system(), destination, group).processedSuccessfully(clock.getAsLong());
    }
  }

  @Override
  public void onBacklog(Backlog e) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    String destination = destination(e.destination());
    String group = groups.limit(e.group());
    GroupState state = groupState(r, e.system(), destination, group);
    String partition = partitions.limit(e.partition());
    state.backlog(partition, e.lagMessages(), e.ackPending(), e.lagSeconds());
    if (partitionLabel) {
      partitionGauges.get(
          e.system(),
          destination,
          group,
          partition,
          "",
          k ->
              register(
                  Gauge.builder("baton.consumer.lag", state, s -> s.partitionLag(k.d))
                      .description(
                          "Messages the group has not yet committed or acknowledged (NaN: unknown).")
                      .baseUnit("messages")
                      .tags(Tags.of(SYSTEM, k.a, DESTINATION, k.b, GROUP, k.c, "partition", k.d))
                      .register(r)));
    }
  }

  @Override
  public void onQueueDepth(QueueDepth e) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    groupState(r, e.system(), destination(e.destination()), groups.limit(e.group()))
        .queueDepth(e.messages(), e.bytes());
  }

  @Override
  public void onConnection(ConnectionChange e) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    String event = e.state().name().toLowerCase(java.util.Locale.ROOT);
    connectionEvents
        .get(
            e.system(),
            event,
            "",
            "",
            "",
            k ->
                counter(
                    r,
                    "baton.connection.events",
                    "Connection events: connected, disconnected, reconnected, closed, slow_consumer, error.",
                    Tags.of(SYSTEM, k.a, "event", k.b)))
        .increment();
    AtomicReference<Double> up =
        connectionUp.get(
            e.system(),
            "",
            "",
            "",
            "",
            k -> {
              AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
              register(
                  Gauge.builder("baton.connection.up", holder, h -> h.get())
                      .description(
                          "1 while the broker connection is up, 0 while it is down, NaN before anything is known.")
                      .tags(Tags.of(SYSTEM, k.a))
                      .register(r));
              return holder;
            });
    switch (e.state()) {
      case CONNECTED, RECONNECTED -> up.set(1.0);
      case DISCONNECTED, CLOSED -> up.set(0.0);
      default -> {}
    }
  }

  @Override
  public void onSubscription(SubscriptionChange e) {
    MeterRegistry r = registry.get();
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
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    String reason = e.reason().name().toLowerCase(java.util.Locale.ROOT);
    String direction = e.inbound() ? "inbound" : "outbound";
    rejected
        .get(
            e.system(),
            reason,
            direction,
            "",
            "",
            k ->
                counter(
                    r,
                    "baton.rejected.contexts",
                    "Propagated context Baton rejected (inbound) or left off (outbound), by reason.",
                    Tags.of(SYSTEM, k.a, "reason", k.b, "direction", k.c)))
        .increment();
  }

  @Override
  public void onTelemetryFailure(TelemetryFailure e) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    failures
        .get(
            e.system(),
            errors.limit(e.operation()),
            "",
            "",
            "",
            k ->
                counter(
                    r,
                    "baton.telemetry.failures",
                    "Failures inside Baton's own instrumentation (contained; the messages went on). operation=backlog counts failed probes.",
                    Tags.of(SYSTEM, k.a, "operation", k.b)))
        .increment();
  }

  // ---- meters ----

  private GroupState groupState(MeterRegistry r, String system, String destination, String group) {
    return groupStates.get(
        system,
        destination,
        group,
        "",
        "",
        k -> {
          GroupState state = new GroupState(clock.getAsLong());
          Tags tags = Tags.of(SYSTEM, k.a, DESTINATION, k.b, GROUP, k.c);
          if (!partitionLabel) {
            register(
                Gauge.builder("baton.consumer.lag", state, GroupState::lag)
                    .description(
                        "Messages the group has not yet committed or acknowledged (NaN: unknown).")
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
                      "Age of the oldest message the group has not yet committed or acknowledged; 0 when caught up.")
                  .tags(tags)
                  .register(r));
          register(
              Gauge.builder(
                      "baton.consumer.last.processed.timestamp",
                      state,
                      GroupState::lastSuccessSeconds)
                  .description(
                      "When a message was last processed successfully, in seconds since the epoch.")
                  .baseUnit("seconds")
                  .tags(tags)
                  .register(r));
          register(
              Gauge.builder(
                      "baton.consumer.status",
                      state,
                      s -> s.status(clock.getAsLong(), stallAfterMillis))
                  .description(
                      "0 OK, 1 WARN (lag growing), 2 STALLED (behind, nothing processed), 3 STOPPED (no subscription running).")
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
        });
  }

  private DistributionSummary bodySize(
      MeterRegistry r, String system, String destination, String direction) {
    return bodySize.get(
        system,
        destination,
        direction,
        "",
        "",
        k ->
            register(
                DistributionSummary.builder("baton.message.body.size")
                    .description("Message payload sizes.")
                    .baseUnit("bytes")
                    .tags(Tags.of(SYSTEM, k.a, DESTINATION, k.b, "direction", k.c))
                    .register(r)));
  }

  private Counter counter(MeterRegistry r, String name, String description, Tags tags) {
    return register(Counter.builder(name).description(description).tags(tags).register(r));
  }

  private Timer timer(MeterRegistry r, String name, String description, Tags tags) {
    return register(
        Timer.builder(name)
            .description(description)
            .tags(tags)
            .serviceLevelObjectives(BUCKETS)
            .minimumExpectedValue(BUCKETS[0])
            .maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
            .register(r));
  }

  private <M extends Meter> M register(M meter) {
    registered.add(meter);
    return meter;
  }

  /** The label value for a destination: its pattern if one matches, then capped. */
  private String destination(String destination) {
    String cached = normalized.get(destination);
    if (cached != null) {
      return cached;
    }
    String label = destination;
    for (Pattern pattern : patterns) {
      if (pattern.matcher.matches(destination)) {
        label = pattern.label;
        break;
      }
    }
    label = destinations.limit(label);
    if (normalized.size() < NORMALIZED_CACHE) {
      normalized.put(destination, label);
    }
    return label;
  }

  /** Builds {@link BackplaneMetrics}. Not thread-safe. */
  public static final class Builder {
    private final List<Pattern> patterns = new ArrayList<>();
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
      patterns.add(new Pattern(DestinationPattern.parse(pattern), pattern));
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
