/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import java.time.Duration;
import java.util.Objects;

/**
 * What one conversation may spend across every agent it passes through: tokens (input and output
 * together), cost, hand-offs and wall time, any subset. It travels with the work (set by the first
 * caller with {@link Conversation#begin(String, ConversationBudget)}, or by an agent's policy per
 * destination with {@link Baton.Builder#addBudget}; the tighter limit wins and is carried on), and
 * every receiving agent checks it before its handler runs: work over budget is refused ({@code
 * dev.baton.transport.Outcome#REFUSED}, reason {@code budget_tokens}, {@code budget_cost}, {@code
 * budget_hops} or {@code budget_time}). Immutable and thread-safe.
 */
public final class ConversationBudget {

  static final long NONE = Long.MAX_VALUE;
  private static final ConversationBudget UNLIMITED =
      new ConversationBudget(NONE, NONE, NONE, NONE);

  final long maxTokens;
  final long maxCostMicros;
  final long maxHops;
  final long maxMicros;

  ConversationBudget(long maxTokens, long maxCostMicros, long maxHops, long maxMicros) {
    this.maxTokens = maxTokens;
    this.maxCostMicros = maxCostMicros;
    this.maxHops = maxHops;
    this.maxMicros = maxMicros;
  }

  /** {@return a budget with no limit} */
  public static ConversationBudget unlimited() {
    return UNLIMITED;
  }

  /** {@return a builder with no limit set} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@return the tighter of this budget and {@code other}, limit by limit}
   *
   * @param other the other budget
   */
  public ConversationBudget tightest(ConversationBudget other) {
    return new ConversationBudget(
        Math.min(maxTokens, other.maxTokens),
        Math.min(maxCostMicros, other.maxCostMicros),
        Math.min(maxHops, other.maxHops),
        Math.min(maxMicros, other.maxMicros));
  }

  /** {@return whether no limit is set} */
  public boolean isUnlimited() {
    return maxTokens == NONE && maxCostMicros == NONE && maxHops == NONE && maxMicros == NONE;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConversationBudget b
        && b.maxTokens == maxTokens
        && b.maxCostMicros == maxCostMicros
        && b.maxHops == maxHops
        && b.maxMicros == maxMicros;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxTokens, maxCostMicros, maxHops, maxMicros);
  }

  @Override
  public String toString() {
    return "ConversationBudget[tokens="
        + limit(maxTokens)
        + ", cost="
        + (maxCostMicros == NONE ? "none" : maxCostMicros / 1e6)
        + ", hops="
        + limit(maxHops)
        + ", time="
        + (maxMicros == NONE ? "none" : Duration.ofNanos(maxMicros * 1000))
        + "]";
  }

  private static String limit(long value) {
    return value == NONE ? "none" : Long.toString(value);
  }

  /** Builds a {@link ConversationBudget}. Not thread-safe. */
  public static final class Builder {
    private long maxTokens = NONE;
    private long maxCostMicros = NONE;
    private long maxHops = NONE;
    private long maxMicros = NONE;

    Builder() {}

    /**
     * At most this many tokens, input and output together; at least 1.
     *
     * @param maxTokens the most tokens
     * @return this builder
     */
    public Builder setMaxTokens(long maxTokens) {
      if (maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * At most this cost, in the unit agents add it in (held in millionths); more than 0.
     *
     * @param maxCost the most cost
     * @return this builder
     */
    public Builder setMaxCost(double maxCost) {
      if (!(maxCost > 0) || Double.isInfinite(maxCost) || maxCost > 9.99e11) {
        throw new IllegalArgumentException("maxCost must be more than 0, was " + maxCost);
      }
      this.maxCostMicros = Math.round(maxCost * 1e6);
      return this;
    }

    /**
     * At most this many hand-offs; at least 1.
     *
     * @param maxHops the most hand-offs
     * @return this builder
     */
    public Builder setMaxHops(long maxHops) {
      if (maxHops < 1) {
        throw new IllegalArgumentException("maxHops must be at least 1, was " + maxHops);
      }
      this.maxHops = maxHops;
      return this;
    }

    /**
     * At most this long from the conversation's start; at least one millisecond.
     *
     * @param maxDuration the longest time
     * @return this builder
     */
    public Builder setMaxDuration(Duration maxDuration) {
      Objects.requireNonNull(maxDuration, "maxDuration");
      if (maxDuration.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(
            "maxDuration must be at least one millisecond, was " + maxDuration);
      }
      this.maxMicros =
          maxDuration.compareTo(Duration.ofDays(365_000)) > 0 ? NONE : maxDuration.toNanos() / 1000;
      return this;
    }

    /** {@return the budget} */
    public ConversationBudget build() {
      return new ConversationBudget(maxTokens, maxCostMicros, maxHops, maxMicros);
    }
  }
}
