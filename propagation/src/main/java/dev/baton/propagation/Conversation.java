/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import dev.baton.propagation.internal.ConversationAccess;
import dev.baton.propagation.internal.Ledger;
import dev.baton.propagation.internal.Listeners;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The conversation a piece of work belongs to, across every agent it passes through: its id and the
 * running totals that travel with it (hand-offs, distinct agents, tokens, cost, handler time, time
 * since it began).
 *
 * <p>The id travels as the W3C baggage member {@value #BAGGAGE_KEY} (the OpenTelemetry GenAI name),
 * so a peer that speaks only W3C baggage (nats.js, kcat, Python) can set it and read it; every send
 * and process span carries it as {@code gen_ai.conversation.id} when the agent's Baton tracks
 * conversations ({@link ConversationMode}). The totals travel in Baton's own header, and each hop
 * adds its own: a handler adds the tokens and cost of its LLM calls with {@link #addUsage}.
 *
 * <pre>{@code
 * // where a task enters the swarm: one conversation for everything sent inside
 * try (Scope ignored = Conversation.begin("ticket-4711").makeCurrent()) {
 *   publisher.publish("plan", payload);
 * }
 * // in a handler
 * Conversation conversation = Conversation.current();
 * conversation.addUsage(response.inputTokens(), response.outputTokens(), 0.0042);
 * }</pre>
 *
 * <p>Totals follow each path the work takes: when a handler sends several messages, each carries
 * what the conversation held at that point, so an agent that gathers the branches again sees the
 * shared part in each. Thread-safe.
 */
public final class Conversation {

  /** The W3C baggage key the id travels under. */
  public static final String BAGGAGE_KEY = "gen_ai.conversation.id";

  private static final ContextKey<Conversation> KEY = ContextKey.named("baton-conversation");

  static {
    ConversationAccess.install(new Parts());
  }

  private final String id;
  private final Ledger carried;
  private final @Nullable String agent;
  private final long beganNanos;
  private final @Nullable Listeners listeners;
  private boolean done;
  private long inputTokens;
  private long outputTokens;
  private long costMicros;

  private Conversation(
      String id,
      Ledger carried,
      @Nullable String agent,
      long beganNanos,
      @Nullable Listeners listeners) {
    this.id = id;
    this.carried = carried;
    this.agent = agent;
    this.beganNanos = beganNanos;
    this.listeners = listeners;
  }

  /**
   * {@return the conversation of the code running now, or {@code null} outside any conversation}
   */
  public static @Nullable Conversation current() {
    return fromContext(Context.current());
  }

  /**
   * {@return the conversation held in {@code context}, or {@code null} when none (or an invalid
   * id)} A context whose baggage names a conversation that Baton did not start here (set with the
   * baggage API) gets a conversation whose totals begin now.
   *
   * @param context the context to read
   */
  public static @Nullable Conversation fromContext(Context context) {
    String id = Baggage.fromContext(context).getEntryValue(BAGGAGE_KEY);
    if (id == null || !OutboundMessage.isConversationId(id)) {
      return null;
    }
    Conversation stored = context.get(KEY);
    if (stored != null && stored.id.equals(id)) {
      return stored;
    }
    return new Conversation(id, Ledger.begin(nowMicros()), null, -1, null);
  }

  /**
   * {@return the current context in conversation {@code id} (1 to 128 printable ASCII characters
   * without spaces, else {@link IllegalArgumentException}), whose totals begin now} Make it current
   * around the sends that start the conversation.
   *
   * @param id the conversation id
   */
  public static Context begin(String id) {
    return begin(id, ConversationBudget.unlimited());
  }

  /**
   * {@link #begin(String)} with a budget that travels with the work: every receiving agent refuses
   * the work once the conversation is over it (see {@link ConversationBudget}).
   *
   * @param id the conversation id
   * @param budget the budget the conversation carries
   * @return the current context in conversation {@code id}, with {@code budget}; make it current
   *     for the work to carry both
   */
  public static Context begin(String id, ConversationBudget budget) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(budget, "budget");
    if (!OutboundMessage.isConversationId(id)) {
      throw new IllegalArgumentException(
          "a conversation id must be 1 to 128 printable ASCII characters without spaces, was '"
              + id
              + "'");
    }
    Ledger ledger = tighten(Ledger.begin(nowMicros()), budget);
    return store(Context.current(), new Conversation(id, ledger, null, -1, null));
  }

  private static Context store(Context context, Conversation conversation) {
    Baggage baggage = Baggage.fromContext(context);
    if (!conversation.id.equals(baggage.getEntryValue(BAGGAGE_KEY))) {
      context = context.with(baggage.toBuilder().put(BAGGAGE_KEY, conversation.id).build());
    }
    return context.with(KEY, conversation);
  }

  /**
   * {@return the id: what {@code gen_ai.conversation.id} says on every span of the conversation}
   */
  public String id() {
    return id;
  }

  private static Ledger tighten(Ledger ledger, ConversationBudget budget) {
    if (budget.isUnlimited()) {
      return ledger;
    }
    return ledger.withBudget(
        Math.min(ledger.maxTokens, budget.maxTokens),
        Math.min(ledger.maxCostMicros, budget.maxCostMicros),
        Math.min(ledger.maxHops, budget.maxHops),
        Math.min(ledger.maxMicros, budget.maxMicros));
  }

  /**
   * {@return the budget the conversation carries ({@link ConversationBudget#unlimited()} when
   * none)}
   */
  public ConversationBudget budget() {
    return new ConversationBudget(
        carried.maxTokens, carried.maxCostMicros, carried.maxHops, carried.maxMicros);
  }

  /**
   * {@return tokens left in the budget ({@link Long#MAX_VALUE} without a token limit), 0 when over}
   */
  public long tokensLeft() {
    return carried.maxTokens == Ledger.NONE
        ? Long.MAX_VALUE
        : Math.max(0, carried.maxTokens - inputTokens() - outputTokens());
  }

  /** {@return cost left in the budget ({@link Double#POSITIVE_INFINITY} without a cost limit)} */
  public double costLeft() {
    return carried.maxCostMicros == Ledger.NONE
        ? Double.POSITIVE_INFINITY
        : Math.max(0, carried.maxCostMicros / 1e6 - cost());
  }

  /** {@return hand-offs left in the budget ({@link Long#MAX_VALUE} without a hop limit)} */
  public long hopsLeft() {
    return carried.maxHops == Ledger.NONE ? Long.MAX_VALUE : Math.max(0, carried.maxHops - hops());
  }

  /**
   * Time left in the budget ({@code null} without a time limit), zero when over.
   *
   * @return the time left, or {@code null} without a time limit
   */
  public @Nullable Duration timeLeft() {
    if (carried.maxMicros == Ledger.NONE) {
      return null;
    }
    return Duration.ofNanos(Math.max(0, carried.maxMicros - elapsed().toNanos() / 1000) * 1000);
  }

  /**
   * {@return the hand-offs the work has made in this conversation to reach the code running now}
   */
  public long hops() {
    return carried.hops;
  }

  /**
   * {@return the distinct agents the work has passed through, this one included (counted with a
   * 64-bit sketch: exact until two agents' names share a bit, then slightly under)}
   */
  public long agents() {
    if (agent == null || (carried.sketch & Ledger.agentBit(agent)) != 0) {
      return carried.agents;
    }
    return carried.agents + 1;
  }

  /** {@return the input tokens spent so far, this agent's included} */
  public synchronized long inputTokens() {
    return carried.inputTokens + inputTokens;
  }

  /** {@return the output tokens spent so far, this agent's included} */
  public synchronized long outputTokens() {
    return carried.outputTokens + outputTokens;
  }

  /**
   * {@return the cost so far, this agent's included, in the unit agents add it in (say, US
   * dollars)}
   */
  public synchronized double cost() {
    return (carried.costMicros + costMicros) / 1e6;
  }

  /** {@return the time handlers spent on the work so far, this handler's until now included} */
  public Duration handlerTime() {
    return Duration.ofNanos(carried.handlerMicros * 1000 + ownHandlerNanos());
  }

  /** {@return when the conversation began (its first Baton hop, or {@link #begin})} */
  public Instant startedAt() {
    return Instant.EPOCH.plus(carried.startMicros, java.time.temporal.ChronoUnit.MICROS);
  }

  /** {@return the wall time since the conversation began} */
  public Duration elapsed() {
    return Duration.ofNanos(Math.max(0, nowMicros() - carried.startMicros) * 1000);
  }

  /**
   * Adds what one LLM call cost: its input and output tokens and its price (in the unit the whole
   * swarm uses; held in millionths). Every message this agent hands on afterwards carries the new
   * totals. Throws {@link IllegalArgumentException} on a negative or non-finite value.
   *
   * @param inputTokens the call's input tokens, 0 or more
   * @param outputTokens the call's output tokens, 0 or more
   * @param cost the call's price, 0 or more
   */
  public void addUsage(long inputTokens, long outputTokens, double cost) {
    if (inputTokens < 0 || outputTokens < 0 || !(cost >= 0) || Double.isInfinite(cost)) {
      throw new IllegalArgumentException(
          "usage must be finite and not negative, was "
              + inputTokens
              + " in, "
              + outputTokens
              + " out, cost "
              + cost);
    }
    long micros = Math.round(cost * 1e6);
    synchronized (this) {
      this.inputTokens = saturated(this.inputTokens + inputTokens);
      this.outputTokens = saturated(this.outputTokens + outputTokens);
      this.costMicros = saturated(this.costMicros + micros);
    }
  }

  /**
   * Declares the conversation done here, once: its totals so far go to this agent's listeners (the
   * metrics' distributions per conversation: tokens, cost, hops, agents, duration). True when
   * reported; false when already declared done, or outside a Baton handler (a {@link #begin} scope
   * has no agent to report to).
   *
   * @return whether this call declared it done (false when it was declared done before)
   */
  public boolean done() {
    Listeners to = listeners;
    synchronized (this) {
      if (to == null || agent == null || done) {
        return false;
      }
      done = true;
    }
    TransportListener.ConversationDone event =
        new TransportListener.ConversationDone(
            agent,
            hops(),
            agents(),
            inputTokens(),
            outputTokens(),
            cost(),
            handlerTime().toNanos(),
            elapsed().toNanos());
    to.emit(l -> l.onConversationDone(event));
    return true;
  }

  private static long saturated(long value) {
    return value < 0 ? Long.MAX_VALUE : value;
  }

  private long ownHandlerNanos() {
    return beganNanos < 0 ? 0 : Math.max(0, System.nanoTime() - beganNanos);
  }

  private synchronized Ledger onward(String sender) {
    return carried.onward(
        sender,
        inputTokens,
        outputTokens,
        costMicros,
        TimeUnit.NANOSECONDS.toMicros(ownHandlerNanos()));
  }

  private static long nowMicros() {
    return TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
  }

  @Override
  public String toString() {
    // The id only: totals change while the handler runs.
    return "Conversation[" + id + "]";
  }

  private static final class Parts implements ConversationAccess.Parts {
    @Override
    public Conversation received(
        String id, Ledger carried, String agent, long beganNanos, Listeners listeners) {
      return new Conversation(id, carried, agent, beganNanos, listeners);
    }

    @Override
    public Context store(Context context, Conversation conversation) {
      return Conversation.store(context, conversation);
    }

    @Override
    public @Nullable Conversation stored(Context context) {
      return context.get(KEY);
    }

    @Override
    public Ledger onward(Conversation conversation, String agent) {
      return conversation.onward(agent);
    }

    @Override
    public Ledger tighten(Ledger ledger, ConversationBudget budget) {
      return Conversation.tighten(ledger, budget);
    }
  }
}
