/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import dev.baton.metrics.internal.BoundMeters;
import dev.baton.metrics.internal.DestinationLabels;
import dev.baton.metrics.internal.GroupState;
import dev.baton.metrics.internal.TagLimiter;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener;
import io.micrometer.core.instrument.MeterRegistry;
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

  private final boolean partitionLabel;
  private final long stallAfterMillis;
  private final LongSupplier clock;
  private final DestinationLabels destinations;
  private final TagLimiter agents;
  private final TagLimiter groups;
  private final TagLimiter operations;
  private final TagLimiter partitions;
  private final TagLimiter cycles;
  private final BoundMeters bound = new BoundMeters("BackplaneMetrics");
  private final BackplaneMeters meters;
  private final Map<String, PermissionChange> denied = new ConcurrentHashMap<>();

  private BackplaneMetrics(Builder b) {
    this.partitionLabel = b.partitionLabel;
    this.stallAfterMillis = b.stallAfter.toMillis();
    this.clock = b.clock;
    this.destinations = new DestinationLabels(b.patterns, b.maxTagValues);
    this.agents = new TagLimiter(b.maxTagValues);
    this.groups = new TagLimiter(b.maxTagValues);
    this.operations = new TagLimiter(b.maxTagValues);
    this.partitions = new TagLimiter(b.maxTagValues);
    this.cycles = new TagLimiter(b.maxTagValues);
    this.meters = new BackplaneMeters(bound, partitionLabel, stallAfterMillis, clock);
  }

  /** {@return a builder with the defaults: no patterns, 100 values per label, stall after 60 s} */
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
   * {@return the status of {@code group} on {@code destination} ({@link ConsumerStatus#OK} when
   * nothing is known about it), for health checks}
   *
   * @param system the messaging system ({@code nats}, {@code kafka})
   * @param destination the subject or topic, as labelled
   * @param group the consumer group or queue
   */
  public ConsumerStatus status(String system, String destination, String group) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return ConsumerStatus.OK;
    }
    GroupState state = meters.groupState(r, system, destination(destination), groups.limit(group));
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
    meters.groupStates.forEach(
        (k, state) ->
            views.add(
                new GroupView(
                    k.value(BackplaneMeters.SYSTEM),
                    k.value(BackplaneMeters.DESTINATION),
                    k.value(BackplaneMeters.GROUP),
                    state.lag(),
                    state.lagSeconds(),
                    state.queueMessages(),
                    state.status(now, stallAfterMillis))));
    return views;
  }

  /**
   * {@return the total lag over every group whose lag is known, or -1 when none is (for health)}
   */
  public long totalLag() {
    return sumKnown(GroupState::lag);
  }

  /** {@return the messages every subscription holds unhandled in the client, or -1 when unknown} */
  public long totalQueueDepth() {
    return sumKnown(GroupState::queueMessages);
  }

  private long sumKnown(ToDoubleFunction<GroupState> value) {
    double[] total = {0};
    boolean[] known = {false};
    meters.groupStates.forEach(
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
    meters.sent.get(r, e.system(), destination, agent, outcome, "").increment();
    meters
        .sendDuration
        .get(r, e.system(), destination, agent, "send", "")
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    meters.bodySize.get(r, e.system(), destination, "sent", "", "").record(e.payloadBytes());
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
    meters.consumed.get(r, e.system(), destination, group, agent, "").increment();
    if (e.deliveryCount() > 1) {
      meters.redelivered.get(r, e.system(), destination, group, agent, "").increment();
    }
    meters.bodySize.get(r, e.system(), destination, "received", "", "").record(e.payloadBytes());
    if (e.deliveryLatencyNanos() >= 0) {
      meters
          .deliveryLatency
          .get(r, e.system(), destination, group, agent, "")
          .record(e.deliveryLatencyNanos(), TimeUnit.NANOSECONDS);
    }
    String from = e.senderAgent() == null ? "unknown" : agents.limit(e.senderAgent());
    meters.agentMessages.get(r, e.system(), from, agent, "", "").increment();
  }

  @Override
  public void onLoop(Loop e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    meters
        .loops
        .get(
            r,
            e.system(),
            destination(e.destination()),
            agents.limit(e.agent()),
            cycles.limit(e.cycle()),
            e.stopped() ? "stopped" : "reported")
        .increment();
  }

  @Override
  public void onRefused(Refused e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    meters
        .refused
        .get(r, e.system(), destination(e.destination()), agents.limit(e.agent()), e.reason(), "")
        .increment();
  }

  @Override
  public void onConversationDone(ConversationDone e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String agent = agents.limit(e.agent());
    meters.conversationTokens.get(r, agent, "input", "", "", "").record(e.inputTokens());
    meters.conversationTokens.get(r, agent, "output", "", "", "").record(e.outputTokens());
    meters.conversationCost.get(r, agent, "", "", "", "").record(e.cost());
    meters.conversationHops.get(r, agent, "", "", "", "").record(e.hops());
    meters.conversationAgents.get(r, agent, "", "", "", "").record(e.agents());
    meters
        .conversationDuration
        .get(r, agent, "", "", "", "")
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    meters
        .conversationHandlerTime
        .get(r, agent, "", "", "", "")
        .record(e.handlerNanos(), TimeUnit.NANOSECONDS);
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
        switch (e.outcome()) {
          case ACK -> "success";
          case NAK -> "failure";
          case DEAD_LETTERED -> "dead_lettered";
          case ABANDONED -> "abandoned";
          case REFUSED -> "refused";
        };
    meters.processed.get(r, e.system(), destination, group, agent, outcome).increment();
    meters
        .processDuration
        .get(r, e.system(), destination, group, agent, "")
        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
    if (e.cpuNanos() >= 0) {
      meters
          .handlerCpu
          .get(r, e.system(), destination, agent, "", "")
          .increment(e.cpuNanos() / 1e9);
    }
    if (e.allocatedBytes() >= 0) {
      meters
          .handlerAllocated
          .get(r, e.system(), destination, agent, "", "")
          .increment(e.allocatedBytes());
    }
    if (e.kept() != null) {
      meters.kept.get(r, e.system(), destination, agent, e.kept(), "").increment();
    }
    if (e.outcome() == Outcome.ACK) {
      meters.groupState(r, e.system(), destination, group).processedSuccessfully(clock.getAsLong());
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
    meters
        .groupState(r, e.system(), destination, group)
        .backlog(
            partition,
            e.lagMessages(),
            e.ackPending(),
            e.lagSeconds(),
            e.position(),
            clock.getAsLong());
    if (partitionLabel) {
      meters.partitionLag.get(r, e.system(), destination, group, partition, "");
    }
  }

  @Override
  public void onQueueDepth(QueueDepth e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    meters
        .groupState(r, e.system(), destination(e.destination()), groups.limit(e.group()))
        .queueDepth(e.messages(), e.bytes());
  }

  @Override
  public void onConnection(ConnectionChange e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    String event = e.event().name().toLowerCase(Locale.ROOT);
    meters.connectionEvents.get(r, e.system(), event, "", "", "").increment();
    AtomicReference<Double> up = meters.connectionUp.get(r, e.system(), "", "", "", "");
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
        meters.groupState(r, e.system(), destination(e.destination()), groups.limit(e.group()));
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
    meters
        .rejected
        .get(r, e.system(), reason, e.inbound() ? "inbound" : "outbound", "", "")
        .increment();
  }

  @Override
  public void onTelemetryFailure(TelemetryFailure e) {
    MeterRegistry r = bound.registry();
    if (r == null) {
      return;
    }
    meters.failures.get(r, e.system(), operations.limit(e.operation()), "", "", "").increment();
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
      meters
          .permissionDenials
          .get(r, e.system(), operations.limit(e.feature()), "", "", "")
          .increment();
    }
  }

  /** The calls the broker refuses now, for {@link BackplaneChecks#permissions}. */
  List<PermissionChange> refusals() {
    return List.copyOf(denied.values());
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
     *
     * @param pattern a destination pattern such as {@code tasks.*}
     * @return this builder
     */
    public Builder addDestinationPattern(String pattern) {
      Objects.requireNonNull(pattern, "pattern");
      DestinationLabels.check(pattern);
      patterns.add(pattern);
      return this;
    }

    /**
     * At most this many distinct values per label; later ones become {@code other}.
     *
     * @param maxTagValues the most distinct values per label, at least 1
     * @return this builder
     */
    public Builder setMaxTagValues(int maxTagValues) {
      this.maxTagValues = maxTagValues;
      return this;
    }

    /**
     * Label Kafka lag by partition ({@code partition}); off by default.
     *
     * @param partitionLabel whether lag carries a {@code partition} label
     * @return this builder
     */
    public Builder setPartitionLabel(boolean partitionLabel) {
      this.partitionLabel = partitionLabel;
      return this;
    }

    /**
     * A group behind with nothing processed for this long is STALLED. Default 60 s.
     *
     * @param stallAfter how long a group may be behind with nothing processed before it counts as
     *     stalled
     * @return this builder
     */
    public Builder setStallAfter(Duration stallAfter) {
      this.stallAfter = Objects.requireNonNull(stallAfter, "stallAfter");
      return this;
    }

    /** The wall clock in epoch milliseconds (tests). */
    Builder setClock(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds it; throws {@link IllegalArgumentException} on a bad setting.
     *
     * @return the metrics, ready to bind to a registry
     */
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
