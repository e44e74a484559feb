/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import dev.baton.metrics.internal.BoundMeters;
import dev.baton.metrics.internal.GroupState;
import dev.baton.metrics.internal.MeterCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The catalogue of {@link BackplaneMetrics}' meters: each family's name, description, unit, labels
 * and buckets, created on first use and registered through {@link BoundMeters} (so that closing the
 * metrics removes them). What feeds them is {@link BackplaneMetrics}' job.
 */
final class BackplaneMeters {

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

  static final String SYSTEM = "messaging.system";
  static final String DESTINATION = "messaging.destination.name";
  static final String PARTITION = "partition";
  static final String GROUP = "messaging.consumer.group.name";
  static final String AGENT = "gen_ai.agent.name";
  static final String LAG_DESCRIPTION =
      "Messages the group has not yet committed or acknowledged (NaN: unknown).";

  private final boolean partitionLabel;
  private final long stallAfterMillis;
  private final LongSupplier clock;
  private final BoundMeters bound;

  BackplaneMeters(
      BoundMeters bound, boolean partitionLabel, long stallAfterMillis, LongSupplier clock) {
    this.bound = bound;
    this.partitionLabel = partitionLabel;
    this.stallAfterMillis = stallAfterMillis;
    this.clock = clock;
  }

  // ---- meter families: (label values) -> meter, created once ----

  final MeterCache<Counter> sent =
      counters(
          "messaging.client.sent.messages",
          "Messages sent (acknowledged by the broker where it acknowledges).",
          SYSTEM,
          DESTINATION,
          AGENT,
          "outcome");
  final MeterCache<Timer> sendDuration =
      timers(
          "messaging.client.operation.duration",
          "From the send call until the broker acknowledged (or the client took) the message.",
          SYSTEM,
          DESTINATION,
          AGENT,
          "messaging.operation.name");
  final MeterCache<DistributionSummary> bodySize =
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
  final MeterCache<Counter> consumed =
      counters(
          "messaging.client.consumed.messages",
          "Messages delivered to a handler.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  final MeterCache<Counter> redelivered =
      counters(
          "baton.redelivered.messages",
          "Deliveries of a message the handler had been given before (delivery count above 1):"
              + " retries after a failed handler, an ack that timed out, a broker restart.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  final MeterCache<Timer> deliveryLatency =
      timers(
          "baton.delivery.latency",
          "From the sender's sent-at stamp until the message reached the receiver.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  final MeterCache<Counter> processed =
      counters(
          "baton.processed.messages",
          "Messages handled, by outcome: success (acknowledged), failure (redelivered),"
              + " dead_lettered (given up), abandoned (the handler ran past the agent's maximum"
              + " handler time).",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT,
          "outcome");
  final MeterCache<Timer> processDuration =
      timers(
          "messaging.process.duration",
          "How long handlers ran.",
          SYSTEM,
          DESTINATION,
          GROUP,
          AGENT);
  final MeterCache<Counter> handlerCpu =
      unitCounters(
          "baton.handler.cpu.time",
          "seconds",
          "CPU time the agent's handlers spent on this destination's messages (the handler"
              + " thread's, from the JVM's per-thread counter).",
          SYSTEM,
          DESTINATION,
          AGENT);
  final MeterCache<Counter> handlerAllocated =
      unitCounters(
          "baton.handler.allocated",
          "bytes",
          "Bytes the agent's handlers allocated for this destination's messages (the handler"
              + " thread's, from the JVM's per-thread counter).",
          SYSTEM,
          DESTINATION,
          AGENT);
  final MeterCache<Counter> kept =
      counters(
          "baton.kept.spans",
          "Hops of unsampled traces recorded anyway, by reason: failure (the handler threw), slow"
              + " (it ran longer than the agent's threshold).",
          SYSTEM,
          DESTINATION,
          AGENT,
          "reason");
  final MeterCache<Counter> agentMessages =
      counters(
          "baton.agent.messages",
          "Messages from one agent to another: the communication graph.",
          SYSTEM,
          "from_agent",
          "to_agent");
  final MeterCache<Counter> connectionEvents =
      counters(
          "baton.connection.events",
          "Connection events: connected, disconnected, reconnected, closed, slow_consumer, stalled,"
              + " error.",
          SYSTEM,
          "event");
  final MeterCache<Counter> rejected =
      counters(
          "baton.rejected.contexts",
          "Propagated context Baton rejected (inbound) or left off (outbound), by reason.",
          SYSTEM,
          "reason",
          "direction");
  final MeterCache<Counter> failures =
      counters(
          "baton.telemetry.failures",
          "Failures inside Baton's own instrumentation (contained; the messages went on)."
              + " operation=backlog counts failed probes.",
          SYSTEM,
          "operation");
  final MeterCache<Counter> permissionDenials =
      counters(
          "baton.permission.denials",
          "Calls Baton makes for its own features (backlog probes, checks) that the broker refused"
              + " for want of a permission, once per refusal; the feature is off meanwhile.",
          SYSTEM,
          "feature");
  final MeterCache<AtomicReference<Double>> connectionUp =
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
  final MeterCache<GroupState> groupStates =
      new MeterCache<>(SYSTEM, DESTINATION, GROUP) {
        @Override
        protected GroupState create(Object registry, Key k) {
          return newGroupState((MeterRegistry) registry, k);
        }
      };
  final MeterCache<Gauge> partitionLag =
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

  GroupState groupState(MeterRegistry r, String system, String destination, String group) {
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

  final MeterCache<Counter> refused =
      counters(
          "baton.refused.messages",
          "Messages the conversation policy refused (the handler did not run), by reason:"
              + " conversation_required, budget_tokens, budget_cost, budget_hops, budget_time.",
          SYSTEM,
          DESTINATION,
          AGENT,
          "reason");

  final MeterCache<Counter> loops =
      counters(
          "baton.conversation.loops",
          "Repeating cycles of agents seen in a conversation, by cycle (capped: later ones are"
              + " 'other') and action (reported, stopped).",
          SYSTEM,
          DESTINATION,
          AGENT,
          "cycle",
          "action");

  // ---- per conversation, when an agent declares one done: distributions, never its id ----

  final MeterCache<DistributionSummary> conversationTokens =
      summaries(
          "baton.conversation.tokens",
          "tokens",
          "Tokens a conversation spent, when declared done.",
          AGENT,
          "direction");
  final MeterCache<DistributionSummary> conversationCost =
      summaries(
          "baton.conversation.cost",
          null,
          "What a conversation cost (in the unit agents add), when declared done.",
          AGENT);
  final MeterCache<DistributionSummary> conversationHops =
      summaries(
          "baton.conversation.hops",
          "hops",
          "Hand-offs a conversation made, when declared done.",
          AGENT);
  final MeterCache<DistributionSummary> conversationAgents =
      summaries(
          "baton.conversation.agents",
          "agents",
          "Distinct agents a conversation passed through, when declared done.",
          AGENT);
  final MeterCache<Timer> conversationDuration =
      longTimers(
          "baton.conversation.duration",
          "Wall time from a conversation's start until it was declared done.",
          AGENT);
  final MeterCache<Timer> conversationHandlerTime =
      longTimers(
          "baton.conversation.handler.time",
          "Time handlers spent on a conversation, when declared done.",
          AGENT);

  private MeterCache<DistributionSummary> summaries(
      String name, @Nullable String unit, String description, String... labels) {
    return new MeterCache<>(labels) {
      @Override
      protected DistributionSummary create(Object r, Key k) {
        return register(
            DistributionSummary.builder(name)
                .description(description)
                .baseUnit(unit)
                .tags(k.tags())
                .publishPercentileHistogram()
                .register((MeterRegistry) r));
      }
    };
  }

  /** Timers for what lasts seconds to days: a percentile histogram from 1 ms to one day. */
  private MeterCache<Timer> longTimers(String name, String description, String... labels) {
    return new MeterCache<>(labels) {
      @Override
      protected Timer create(Object r, Key k) {
        return register(
            Timer.builder(name)
                .description(description)
                .tags(k.tags())
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofDays(1))
                .register((MeterRegistry) r));
      }
    };
  }

  private <M extends Meter> M register(M meter) {
    return bound.add(meter);
  }
}
