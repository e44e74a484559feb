/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import dev.baton.propagation.internal.AgentSdk;
import dev.baton.propagation.internal.BatonAccess;
import dev.baton.propagation.internal.Listeners;
import dev.baton.propagation.internal.SdkSampling;
import dev.baton.propagation.internal.SemConv;
import dev.baton.propagation.internal.SpanNaming;
import dev.baton.transport.Transport;
import dev.baton.transport.TransportListener;
import dev.baton.transport.internal.DestinationPattern;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One agent's instrumentation: who the agent is, the {@link OpenTelemetry} it reports to, how it
 * continues the traces it receives, which baggage leaves it, and who listens. Hand it to a
 * transport ({@code NatsBaton.builder(baton, connection).build()}); both transports share it.
 *
 * <pre>{@code
 * Baton baton = Baton.builder(openTelemetry)
 *     .setAgentName("planner")
 *     .addContinuation("audit.>", Continuation.NEW_TRACE_WITH_LINK)
 *     .setHopLimit(20)
 *     .addListener(metrics)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. It owns no threads and needs no closing.
 */
public final class Baton {

  /** How many times a cycle of agents repeats in a row before it is a loop, by default. */
  public static final int DEFAULT_LOOP_REPEATS = 3;

  /** How many distinct destinations a transport's span names carry, by default. */
  public static final int DEFAULT_SPAN_NAME_LIMIT = 100;

  /** The default hop limit: after this many hand-offs in one trace the next starts a new one. */
  public static final int DEFAULT_HOP_LIMIT = 64;

  /** How long a handler may work on one message unless the agent says otherwise. */
  public static final Duration DEFAULT_MAX_HANDLER_TIME = Duration.ofMinutes(30);

  private static final String SCOPE = "dev.baton";

  static {
    BatonAccess.install(
        new BatonAccess.Parts() {
          @Override
          public Tracer tracer(Baton baton) {
            return baton.tracer;
          }

          @Override
          public Listeners listeners(Baton baton) {
            return baton.listeners;
          }

          @Override
          public TextMapPropagator propagator(Baton baton) {
            return baton.propagator;
          }

          @Override
          public boolean dropsUnsampledChildren(Baton baton) {
            return baton.dropsUnsampledChildren;
          }

          @Override
          public SpanNaming naming(Baton baton) {
            return baton.naming;
          }
        });
  }

  private final Tracer tracer;
  private final String agentName;
  private final String agentId;
  private final Rule[] rules;
  private final int hopLimit;
  private final BaggagePolicy baggagePolicy;
  private final Listeners listeners;
  private final TextMapPropagator propagator;
  private final boolean dropsUnsampledChildren;
  private final DestinationPattern[] housekeeping;
  private final HandlerCost handlerCost;
  private final boolean keepFailures;
  private final long keepSlowerThanNanos;
  private final long maxHandlerNanos;
  private final ConversationMode conversations;
  private final BudgetRule[] budgets;
  private final int loopRepeats;
  private final DestinationPattern[] loopBreaks;
  private final SpanNaming naming;

  private Baton(Builder b) {
    this.tracer =
        b.openTelemetry.getTracer(SCOPE, Baton.class.getPackage().getImplementationVersion());
    this.agentName = b.agentName;
    this.agentId = b.agentId == null ? agentName + "-" + UUID.randomUUID() : b.agentId;
    this.rules = b.rules.toArray(new Rule[0]);
    this.hopLimit = b.hopLimit;
    this.baggagePolicy = b.baggagePolicy;
    this.listeners = new Listeners(b.listeners);
    this.propagator = b.openTelemetry.getPropagators().getTextMapPropagator();
    this.dropsUnsampledChildren = SdkSampling.dropsUnsampledChildren(b.openTelemetry);
    AgentSdk.check(b.openTelemetry);
    this.housekeeping =
        b.traceHousekeeping
            ? new DestinationPattern[0]
            : b.housekeeping.toArray(new DestinationPattern[0]);
    this.handlerCost = b.handlerCost;
    this.keepFailures = b.keepFailures;
    this.keepSlowerThanNanos = b.keepSlowerThan.toNanos();
    this.maxHandlerNanos = b.maxHandlerTime.toNanos();
    this.conversations = b.conversations;
    this.budgets = b.budgets.toArray(new BudgetRule[0]);
    this.loopRepeats = b.loopRepeats;
    this.loopBreaks = b.loopBreaks.toArray(new DestinationPattern[0]);
    boolean genAi =
        b.genAiSpans != null
            ? b.genAiSpans
            : SpanNaming.optsInToGenAi(System.getenv(SpanNaming.OPT_IN_VARIABLE));
    this.naming = new SpanNaming(b.spanNamePatterns, b.spanNameLimit, genAi);
  }

  /**
   * {@return whether this agent's process spans are GenAI {@code invoke_agent} spans ({@link
   * Builder#setGenAiSpans})}
   */
  public boolean genAiSpans() {
    return naming.genAi();
  }

  /** {@return how many times in a row a cycle of agents repeats before it counts as a loop} */
  public int loopRepeats() {
    return loopRepeats;
  }

  /**
   * {@return whether a loop seen on {@code destination} is stopped (see {@link
   * Builder#addLoopBreak})}
   *
   * @param destination a subject or topic
   */
  public boolean breaksLoopsOn(String destination) {
    for (DestinationPattern pattern : loopBreaks) {
      if (pattern.matches(destination)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@return a builder for an agent that reports to {@code openTelemetry}}
   *
   * @param openTelemetry the OpenTelemetry whose tracer and propagators the agent uses
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /** {@return the agent's name ({@code gen_ai.agent.name})} */
  public String agentName() {
    return agentName;
  }

  /** {@return the agent's id ({@code gen_ai.agent.id})} */
  public String agentId() {
    return agentId;
  }

  /**
   * {@return the most hand-offs one trace may hold before the next hand-off starts a new, linked
   * trace}
   */
  public int hopLimit() {
    return hopLimit;
  }

  /** {@return the baggage policy} */
  public BaggagePolicy baggagePolicy() {
    return baggagePolicy;
  }

  /**
   * {@return what a receiver does with the sender's trace on {@code destination}: the first rule
   * wins}
   *
   * @param destination a subject or topic
   */
  public Continuation continuationFor(String destination) {
    for (Rule rule : rules) {
      if (rule.pattern.matches(destination)) {
        return rule.continuation;
      }
    }
    return Continuation.CONTINUE;
  }

  /**
   * {@return whether messages on {@code destination} are housekeeping (heartbeats and the like)
   * that travel without trace context and make no spans, while their metrics still count} See
   * {@link Builder#addHousekeeping} and {@link Builder#setTraceHousekeeping}.
   *
   * @param destination a subject or topic
   */
  public boolean isHousekeeping(String destination) {
    for (DestinationPattern pattern : housekeeping) {
      if (pattern.matches(destination)) {
        return true;
      }
    }
    return false;
  }

  /** {@return what is measured of each handler call (see {@link Builder#setHandlerCost})} */
  public HandlerCost handlerCost() {
    return handlerCost;
  }

  /**
   * {@return whether a hop whose handler failed is recorded even when its trace was not sampled
   * (see {@link Builder#setKeepFailures})}
   */
  public boolean keepFailures() {
    return keepFailures;
  }

  /**
   * {@return how long a handler may run before its hop is recorded even when its trace was not
   * sampled, in nanoseconds; 0: never (see {@link Builder#setKeepSlowerThan})}
   */
  public long keepSlowerThanNanos() {
    return keepSlowerThanNanos;
  }

  /**
   * {@return the longest a handler may hold its message before Baton gives the message up, in
   * nanoseconds (see {@link Builder#setMaxHandlerTime})}
   */
  public long maxHandlerNanos() {
    return maxHandlerNanos;
  }

  /**
   * {@return the budget this agent holds conversations to on {@code destination}: the tightest of
   * every matching {@link Builder#addBudget} rule, {@link ConversationBudget#unlimited()} when
   * none}
   *
   * @param destination a subject or topic
   */
  public ConversationBudget budgetFor(String destination) {
    ConversationBudget budget = ConversationBudget.unlimited();
    for (BudgetRule rule : budgets) {
      if (rule.pattern().matches(destination)) {
        budget = budget.tightest(rule.budget());
      }
    }
    return budget;
  }

  /** {@return whether and how conversation ids travel (see {@link Builder#setConversations})} */
  public ConversationMode conversations() {
    return conversations;
  }

  /** {@return how many times Baton's own instrumentation failed (and was contained) so far} */
  public long telemetryFailures() {
    return listeners.failures();
  }

  private record Rule(DestinationPattern pattern, Continuation continuation) {}

  private record BudgetRule(DestinationPattern pattern, ConversationBudget budget) {}

  /** Builds a {@link Baton}. Not thread-safe; {@link #build()} checks the configuration. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private String agentName = "agent";
    private String agentId;
    private final List<Rule> rules = new ArrayList<>();
    private int hopLimit = DEFAULT_HOP_LIMIT;
    private BaggagePolicy baggagePolicy = BaggagePolicy.defaults();
    private final List<TransportListener> listeners = new ArrayList<>();
    private final List<DestinationPattern> housekeeping = new ArrayList<>();
    private boolean traceHousekeeping;
    private HandlerCost handlerCost = HandlerCost.ALLOCATIONS;
    private boolean keepFailures = true;
    private Duration keepSlowerThan = Duration.ZERO;
    private Duration maxHandlerTime = DEFAULT_MAX_HANDLER_TIME;
    private ConversationMode conversations = ConversationMode.OFF;
    private final List<BudgetRule> budgets = new ArrayList<>();
    private int loopRepeats = DEFAULT_LOOP_REPEATS;
    private final List<DestinationPattern> loopBreaks = new ArrayList<>();
    private final List<DestinationPattern> spanNamePatterns = new ArrayList<>();
    private int spanNameLimit = DEFAULT_SPAN_NAME_LIMIT;
    private Boolean genAiSpans;

    Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
      housekeeping.add(DestinationPattern.parse(Transport.HEARTBEATS));
    }

    /**
     * The agent's name: printable ASCII, 1 to 128 characters. Default {@code agent}.
     *
     * @param agentName the agent's name
     * @return this builder
     */
    public Builder setAgentName(String agentName) {
      this.agentName = Objects.requireNonNull(agentName, "agentName");
      return this;
    }

    /**
     * The agent's id, unique per running instance: printable ASCII, 1 to 128 characters. Default:
     * the name followed by a random UUID.
     *
     * @param agentId the agent's id
     * @return this builder
     */
    public Builder setAgentId(String agentId) {
      this.agentId = Objects.requireNonNull(agentId, "agentId");
      return this;
    }

    /**
     * Receivers on destinations matching {@code pattern} (NATS wildcards: {@code *} one token,
     * {@code >} the rest) handle messages with {@code continuation}. Rules are tried in the order
     * added; the default is {@link Continuation#CONTINUE}.
     *
     * @param pattern a destination pattern
     * @param continuation what receivers on matching destinations do with the sender's trace
     * @return this builder
     */
    public Builder addContinuation(String pattern, Continuation continuation) {
      rules.add(
          new Rule(
              DestinationPattern.parse(Objects.requireNonNull(pattern, "pattern")),
              Objects.requireNonNull(continuation, "continuation")));
      return this;
    }

    /**
     * At most this many hand-offs in one trace (default {@value #DEFAULT_HOP_LIMIT}); the next one
     * starts a new trace linked to the last, so a runaway agent loop cannot grow a trace without
     * bound. The hop number travels on the message.
     *
     * @param hopLimit the most hand-offs in one trace, at least 1
     * @return this builder
     */
    public Builder setHopLimit(int hopLimit) {
      this.hopLimit = hopLimit;
      return this;
    }

    /**
     * Which baggage leaves the process. Default {@link BaggagePolicy#defaults()}.
     *
     * @param baggagePolicy the policy
     * @return this builder
     */
    public Builder setBaggagePolicy(BaggagePolicy baggagePolicy) {
      this.baggagePolicy = Objects.requireNonNull(baggagePolicy, "baggagePolicy");
      return this;
    }

    /**
     * Messages on destinations matching {@code pattern} (NATS wildcards, as in {@link
     * #addContinuation}) are housekeeping, like Baton's own heartbeats ({@value
     * Transport#HEARTBEATS}, always included): sent without trace context, received without a span,
     * so they do not fill the trace backend; the metrics still count them.
     *
     * @param pattern a destination pattern
     * @return this builder
     */
    public Builder addHousekeeping(String pattern) {
      housekeeping.add(DestinationPattern.parse(Objects.requireNonNull(pattern, "pattern")));
      return this;
    }

    /**
     * Whether housekeeping messages are traced like any other (default {@code false}): for
     * debugging the heartbeats themselves.
     *
     * @param traceHousekeeping whether housekeeping is traced
     * @return this builder
     */
    public Builder setTraceHousekeeping(boolean traceHousekeeping) {
      this.traceHousekeeping = traceHousekeeping;
      return this;
    }

    /**
     * What to measure of each handler call (default {@link HandlerCost#ALLOCATIONS}): the bytes the
     * handler's thread allocated during the call and, with {@link HandlerCost#ALLOCATIONS_AND_CPU},
     * the CPU time it used, from the JVM's per-thread counters. They go on the process span ({@code
     * baton.handler.allocated_bytes}, {@code baton.handler.cpu_time} in seconds) and to the
     * listeners (the agent's cost meters). {@link HandlerCost#NONE} skips the counter reads.
     *
     * @param handlerCost what to measure
     * @return this builder
     */
    public Builder setHandlerCost(HandlerCost handlerCost) {
      this.handlerCost = Objects.requireNonNull(handlerCost, "handlerCost");
      return this;
    }

    /**
     * Whether a hop whose handler threw is recorded even when its trace was not sampled (default
     * {@code true}). At a low sampling rate the failures are what matters: such a hop gets a span
     * of its own, {@code process <destination>} with the error, the handler's cost and {@code
     * baton.kept=failure}, in the message's trace and linked to the sender's span (whose own span
     * was not recorded), and the listeners hear it ({@code Processed.kept}, the metric {@code
     * baton.kept.spans}). An OpenTelemetry sampler that records nothing at all ({@code
     * Sampler.alwaysOff()}) still records nothing.
     *
     * @param keepFailures whether failed hops are kept when unsampled
     * @return this builder
     */
    public Builder setKeepFailures(boolean keepFailures) {
      this.keepFailures = keepFailures;
      return this;
    }

    /**
     * Records a hop whose handler ran longer than {@code threshold} even when its trace was not
     * sampled, as {@link #setKeepFailures} does with {@code baton.kept=slow}; {@link Duration#ZERO}
     * (the default) keeps none for being slow.
     *
     * @param threshold the handler time beyond which a hop is kept; {@link Duration#ZERO} turns the
     *     rule off
     * @return this builder
     */
    public Builder setKeepSlowerThan(Duration threshold) {
      Objects.requireNonNull(threshold, "threshold");
      if (threshold.isNegative()) {
        throw new IllegalArgumentException("keepSlowerThan must not be negative, was " + threshold);
      }
      this.keepSlowerThan = threshold;
      return this;
    }

    /**
     * The longest a handler may work on one message. While a handler runs, Baton keeps the broker
     * from giving its message to another consumer: on JetStream an in-progress acknowledgement
     * every third of the consumer's ack wait, on Kafka the subscription keeps polling, with its
     * partitions paused, every third of {@code max.poll.interval.ms} (so the consumer stays in its
     * group). Past this time Baton gives the message up the way the broker expects (JetStream: a
     * nak, or a term on the last allowed delivery; Kafka: the record's failure policy, its
     * dead-letter topic at once when it has one) and records how the handler ended as {@link
     * dev.baton.transport.Outcome#ABANDONED}, with {@code error.type=baton.handler_timeout} on the
     * span; the handler itself is not stopped. Default 30 minutes; at least one second.
     *
     * @param maxHandlerTime the longest a handler may work on one message
     * @return this builder
     */
    public Builder setMaxHandlerTime(Duration maxHandlerTime) {
      Objects.requireNonNull(maxHandlerTime, "maxHandlerTime");
      if (maxHandlerTime.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "maxHandlerTime must be at least one second, was " + maxHandlerTime);
      }
      this.maxHandlerTime = maxHandlerTime;
      return this;
    }

    /**
     * Whether the work this agent sends and receives carries a conversation id ({@link
     * Conversation}): {@link ConversationMode#OFF} (the default) carries none; {@link
     * ConversationMode#MINT} carries the work's conversation and starts one where there is none;
     * {@link ConversationMode#REQUIRE} carries it and refuses work without one. The id travels as
     * the W3C baggage member {@code gen_ai.conversation.id} (whatever the baggage policy's
     * allow-list says) and is on every send and process span.
     *
     * @param conversations the conversation mode
     * @return this builder
     */
    public Builder setConversations(ConversationMode conversations) {
      this.conversations = Objects.requireNonNull(conversations, "conversations");
      return this;
    }

    /**
     * Holds conversations received on destinations matching {@code pattern} (NATS wildcards, as in
     * {@link #addContinuation}) to {@code budget}, on top of the budget they carry: the tighter
     * limit wins, is checked before the handler runs, and travels on with the work. Needs
     * conversations on ({@link #setConversations}).
     *
     * @param pattern a destination pattern
     * @param budget the budget conversations received there are held to
     * @return this builder
     */
    public Builder addBudget(String pattern, ConversationBudget budget) {
      budgets.add(
          new BudgetRule(
              DestinationPattern.parse(Objects.requireNonNull(pattern, "pattern")),
              Objects.requireNonNull(budget, "budget")));
      return this;
    }

    /**
     * How many times in a row a cycle of agents (A, B, A, B, ...; up to four agents long) must
     * repeat in a conversation's trail before the hop that closes it reports a loop: default
     * {@value Baton#DEFAULT_LOOP_REPEATS}, at least 2. A single visit back (coordinator, worker,
     * coordinator) is never one. Needs conversations on: the trail travels in their totals.
     *
     * @param loopRepeats the repeats that make a loop, at least 2
     * @return this builder
     */
    public Builder setLoopRepeats(int loopRepeats) {
      if (loopRepeats < 2) {
        throw new IllegalArgumentException("loopRepeats must be at least 2, was " + loopRepeats);
      }
      this.loopRepeats = loopRepeats;
      return this;
    }

    /**
     * Stops the loops seen on destinations matching {@code pattern} (NATS wildcards): the message
     * that closes one is refused (reason {@code loop}) the way an over-budget one is. Elsewhere a
     * loop is reported only (a WARN per cycle per minute, the listeners' {@code onLoop}, the meter
     * {@code baton.conversation.loops}).
     *
     * @param pattern a destination pattern
     * @return this builder
     */
    public Builder addLoopBreak(String pattern) {
      loopBreaks.add(DestinationPattern.parse(Objects.requireNonNull(pattern, "pattern")));
      return this;
    }

    /**
     * Spans for destinations matching {@code pattern} (NATS wildcards: {@code *} one token, {@code
     * >} the rest) are named for the pattern, {@code send agents.task.*}, with the pattern in
     * {@code messaging.destination.template} and the real destination in {@code
     * messaging.destination.name}: per-task or per-user destinations give one span name, as the
     * messaging conventions ask. First match wins. A wildcard subscription's process spans are
     * named for its subscription without this.
     *
     * @param pattern a destination pattern such as {@code tasks.*}
     * @return this builder
     */
    public Builder addSpanNamePattern(String pattern) {
      spanNamePatterns.add(DestinationPattern.parse(Objects.requireNonNull(pattern, "pattern")));
      return this;
    }

    /**
     * How many distinct destinations (patterns and templates included) a transport's span names
     * carry (default {@value #DEFAULT_SPAN_NAME_LIMIT}); spans for destinations past them are named
     * for the operation alone ({@code send}, {@code process}), with {@code
     * messaging.destination.name} still set, and a WARN says which pattern would help.
     *
     * @param spanNameLimit the most distinct destinations in span names, at least 1
     * @return this builder
     */
    public Builder setSpanNameLimit(int spanNameLimit) {
      this.spanNameLimit = spanNameLimit;
      return this;
    }

    /**
     * Whether each process span is an OpenTelemetry GenAI {@code invoke_agent {gen_ai.agent.name}}
     * span ({@code gen_ai.operation.name}, {@code gen_ai.agent.*}, {@code gen_ai.conversation.id},
     * {@code gen_ai.transfer.mode}), keeping its messaging attributes. Default: on when the
     * environment variable {@code OTEL_SEMCONV_STABILITY_OPT_IN} lists {@code
     * gen_ai_latest_experimental}, as OpenTelemetry's own instrumentation reads it; else off.
     *
     * @param genAiSpans whether process spans are GenAI {@code invoke_agent} spans
     * @return this builder
     */
    public Builder setGenAiSpans(boolean genAiSpans) {
      this.genAiSpans = genAiSpans;
      return this;
    }

    /**
     * Adds an observer (metrics, health) of every transport this Baton instruments.
     *
     * @param listener the observer to add
     * @return this builder
     */
    public Builder addListener(TransportListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the Baton; throws {@link IllegalArgumentException} saying what to change.
     *
     * @return the agent's Baton, to hand to a transport
     */
    public Baton build() {
      checkIdentity("agentName", agentName);
      if (agentId != null) {
        checkIdentity("agentId", agentId);
      }
      if (spanNameLimit < 0) {
        throw new IllegalArgumentException(
            "spanNameLimit must be 0 or more (0: every span named for its operation alone), was "
                + spanNameLimit);
      }
      if (hopLimit < 1) {
        throw new IllegalArgumentException("hopLimit must be at least 1, was " + hopLimit);
      }
      if ((!budgets.isEmpty() || !loopBreaks.isEmpty()) && conversations == ConversationMode.OFF) {
        throw new IllegalArgumentException(
            "a conversation budget or loop break needs conversations on:"
                + " setConversations(ConversationMode.MINT) or REQUIRE");
      }
      return new Baton(this);
    }

    private static void checkIdentity(String what, String value) {
      if (!SemConv.isIdentity(value)) {
        throw new IllegalArgumentException(
            what
                + " must be 1 to 128 printable ASCII characters (it travels in a header), was '"
                + value
                + "'");
      }
    }
  }
}
