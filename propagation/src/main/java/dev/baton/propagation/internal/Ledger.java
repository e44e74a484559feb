/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import org.jspecify.annotations.Nullable;

/**
 * Not API: a conversation's running totals as they travel, the part of Baton's header after the
 * sending agent's name and one space: {@code h=<hops>,a=<agents>.<16 hex sketch>,t0=<µs>} and, when
 * not zero, {@code ti=<input tokens>,to=<output tokens>,c=<cost in millionths>,ht=<handler µs>},
 * and when set the conversation's budget: {@code bt=<tokens>,bc=<cost in millionths>,bh=<hops>,
 * bw=<µs from its start>}. Fields are comma-separated {@code key=value}; a receiver ignores keys it
 * does not know, so fields can be added. At most {@value #MAX_LENGTH} characters. Immutable.
 *
 * <p>Distinct agents are counted with a 64-bit sketch: each agent sets one bit chosen by its name's
 * hash, and the count grows when a hop sets a bit not yet set, so the count is exact until two
 * agents share a bit (it then under-counts), and the bytes stay bounded however many agents join.
 */
public final class Ledger {

  /** The most characters a ledger may take on the wire. */
  public static final int MAX_LENGTH = 384;

  /** A budget limit that is not set. */
  public static final long NONE = Long.MAX_VALUE;

  private static final long MAX_VALUE = 999_999_999_999_999_999L; // 18 digits
  private static final byte[] HEX = "0123456789abcdef".getBytes();

  /** The totals of a conversation no hop has carried yet, begun at {@code startMicros}. */
  public static Ledger begin(long startMicros) {
    return new Ledger(0, 0, 0, 0, 0, 0, 0, startMicros, NONE, NONE, NONE, NONE, "");
  }

  public final long hops;
  public final long agents;
  public final long sketch;
  public final long inputTokens;
  public final long outputTokens;
  public final long costMicros;
  public final long handlerMicros;
  public final long startMicros;
  public final long maxTokens;
  public final long maxCostMicros;
  public final long maxHops;
  public final long maxMicros;

  /** The last agents the work passed through, 4 hex digits each, oldest first ({@link Trail}). */
  public final String trail;

  /** The totals without a budget. */
  public Ledger(
      long hops,
      long agents,
      long sketch,
      long inputTokens,
      long outputTokens,
      long costMicros,
      long handlerMicros,
      long startMicros) {
    this(
        hops,
        agents,
        sketch,
        inputTokens,
        outputTokens,
        costMicros,
        handlerMicros,
        startMicros,
        NONE,
        NONE,
        NONE,
        NONE,
        "");
  }

  public Ledger(
      long hops,
      long agents,
      long sketch,
      long inputTokens,
      long outputTokens,
      long costMicros,
      long handlerMicros,
      long startMicros,
      long maxTokens,
      long maxCostMicros,
      long maxHops,
      long maxMicros,
      String trail) {
    this.hops = hops;
    this.agents = agents;
    this.sketch = sketch;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    this.costMicros = costMicros;
    this.handlerMicros = handlerMicros;
    this.startMicros = startMicros;
    this.maxTokens = maxTokens;
    this.maxCostMicros = maxCostMicros;
    this.maxHops = maxHops;
    this.maxMicros = maxMicros;
    this.trail = trail;
  }

  /** These totals under the given budget limits ({@link #NONE} for a limit not set). */
  public Ledger withBudget(long maxTokens, long maxCostMicros, long maxHops, long maxMicros) {
    return new Ledger(
        hops,
        agents,
        sketch,
        inputTokens,
        outputTokens,
        costMicros,
        handlerMicros,
        startMicros,
        maxTokens,
        maxCostMicros,
        maxHops,
        maxMicros,
        trail);
  }

  /**
   * Which limit these totals are over at {@code nowMicros} ({@code budget_hops}, {@code
   * budget_tokens}, {@code budget_cost}, {@code budget_time}), or {@code null}.
   */
  public @Nullable String overBudget(long nowMicros) {
    if (hops > maxHops) {
      return "budget_hops";
    }
    if (maxTokens != NONE && inputTokens + outputTokens > maxTokens) {
      return "budget_tokens";
    }
    if (costMicros > maxCostMicros) {
      return "budget_cost";
    }
    if (maxMicros != NONE && nowMicros - startMicros > maxMicros) {
      return "budget_time";
    }
    return null;
  }

  /** The sketch bit of agent {@code name}. */
  public static long agentBit(String name) {
    int h = name.hashCode() * 0x9E3779B9;
    return 1L << (h >>> 26);
  }

  /**
   * These totals handed on by agent {@code agent} after adding {@code inputTokens}, {@code
   * outputTokens}, {@code costMicros} and {@code handlerMicros} of its own: one more hop, the agent
   * counted once.
   */
  public Ledger onward(
      String agent, long inputTokens, long outputTokens, long costMicros, long handlerMicros) {
    long bit = agentBit(agent);
    boolean known = (sketch & bit) != 0;
    return new Ledger(
        capped(hops + 1),
        capped(known ? agents : agents + 1),
        sketch | bit,
        capped(this.inputTokens + inputTokens),
        capped(this.outputTokens + outputTokens),
        capped(this.costMicros + costMicros),
        capped(this.handlerMicros + handlerMicros),
        capped(startMicros),
        maxTokens,
        maxCostMicros,
        maxHops,
        maxMicros,
        Trail.append(trail, Trail.tag(agent)));
  }

  private static long capped(long value) {
    return value < 0 || value > MAX_VALUE ? MAX_VALUE : value;
  }

  /**
   * Writes the ledger at {@code out[at]}; returns the index after it. Needs {@link #MAX_LENGTH}.
   */
  public int write(byte[] out, int at) {
    at = field(out, at, 'h', (char) 0, hops, false);
    at = field(out, at, 'a', (char) 0, agents, true);
    out[at++] = '.';
    for (int shift = 60; shift >= 0; shift -= 4) {
      out[at++] = HEX[(int) (sketch >>> shift) & 0xf];
    }
    at = field(out, at, 't', '0', startMicros, true);
    if (inputTokens != 0) {
      at = field(out, at, 't', 'i', inputTokens, true);
    }
    if (outputTokens != 0) {
      at = field(out, at, 't', 'o', outputTokens, true);
    }
    if (costMicros != 0) {
      at = field(out, at, 'c', (char) 0, costMicros, true);
    }
    if (handlerMicros != 0) {
      at = field(out, at, 'h', 't', handlerMicros, true);
    }
    if (maxTokens != NONE) {
      at = field(out, at, 'b', 't', capped(maxTokens), true);
    }
    if (maxCostMicros != NONE) {
      at = field(out, at, 'b', 'c', capped(maxCostMicros), true);
    }
    if (maxHops != NONE) {
      at = field(out, at, 'b', 'h', capped(maxHops), true);
    }
    if (maxMicros != NONE) {
      at = field(out, at, 'b', 'w', capped(maxMicros), true);
    }
    if (!trail.isEmpty()) {
      out[at++] = ',';
      out[at++] = 't';
      out[at++] = 'r';
      out[at++] = '=';
      for (int i = 0; i < trail.length(); i++) {
        out[at++] = (byte) trail.charAt(i);
      }
    }
    return at;
  }

  private static int field(byte[] out, int at, char k1, char k2, long value, boolean comma) {
    if (comma) {
      out[at++] = ',';
    }
    out[at++] = (byte) k1;
    if (k2 != 0) {
      out[at++] = (byte) k2;
    }
    out[at++] = '=';
    return BatonHeaderCodec.writeDecimal(out, at, value);
  }

  /**
   * The ledger in {@code s[from, to)}, or {@code null} when it is malformed: longer than {@link
   * #MAX_LENGTH}, a known field twice or with a bad value, or no {@code h}, {@code a} or {@code
   * t0}. Unknown keys are skipped.
   */
  public static @Nullable Ledger parse(CharSequence s, int from, int to) {
    if (to - from > MAX_LENGTH || to <= from) {
      return null;
    }
    long hops = -1;
    long agents = -1;
    long sketch = 0;
    long input = -1;
    long output = -1;
    long cost = -1;
    long handler = -1;
    long start = -1;
    long budgetTokens = -1;
    long budgetCost = -1;
    long budgetHops = -1;
    long budgetMicros = -1;
    String trail = null;
    int at = from;
    while (at < to) {
      int end = AsciiBytes.indexOf(s, ',', at);
      if (end < 0 || end > to) {
        end = to;
      }
      int eq = AsciiBytes.indexOf(s, '=', at);
      if (eq < 0 || eq >= end || eq == at) {
        return null;
      }
      String key = keyOf(s, at, eq);
      if ("tr".equals(key)) {
        if (trail != null || !Trail.isTrail(s, eq + 1, end)) {
          return null;
        }
        trail = s.subSequence(eq + 1, end).toString();
      } else if (key != null) {
        long value;
        if (key.equals("a")) {
          int dot = AsciiBytes.indexOf(s, '.', eq + 1);
          if (dot < 0 || dot >= end || end - dot - 1 != 16 || agents >= 0) {
            return null;
          }
          agents = BatonHeaderCodec.parseDecimal(s, eq + 1, dot, 18);
          sketch = parseHex(s, dot + 1, end);
          if (agents < 0 || sketch == -1 && !allF(s, dot + 1, end)) {
            return null;
          }
        } else {
          value = BatonHeaderCodec.parseDecimal(s, eq + 1, end, 18);
          if (value < 0) {
            return null;
          }
          switch (key) {
            case "bt" -> budgetTokens = budgetTokens < 0 ? value : -2;
            case "bc" -> budgetCost = budgetCost < 0 ? value : -2;
            case "bh" -> budgetHops = budgetHops < 0 ? value : -2;
            case "bw" -> budgetMicros = budgetMicros < 0 ? value : -2;
            case "h" -> hops = hops < 0 ? value : -2;
            case "ti" -> input = input < 0 ? value : -2;
            case "to" -> output = output < 0 ? value : -2;
            case "c" -> cost = cost < 0 ? value : -2;
            case "ht" -> handler = handler < 0 ? value : -2;
            default -> start = start < 0 ? value : -2;
          }
          if (budgetTokens == -2
              || budgetCost == -2
              || budgetHops == -2
              || budgetMicros == -2
              || hops == -2
              || input == -2
              || output == -2
              || cost == -2
              || handler == -2
              || start == -2) {
            return null;
          }
        }
      }
      at = end + 1;
    }
    if (hops < 0 || agents < 0 || start < 0) {
      return null;
    }
    return new Ledger(
        hops,
        agents,
        sketch,
        Math.max(0, input),
        Math.max(0, output),
        Math.max(0, cost),
        Math.max(0, handler),
        start,
        budgetTokens < 0 ? NONE : budgetTokens,
        budgetCost < 0 ? NONE : budgetCost,
        budgetHops < 0 ? NONE : budgetHops,
        budgetMicros < 0 ? NONE : budgetMicros,
        trail == null ? "" : trail);
  }

  /** The known key in {@code s[from, to)}, or {@code null} for one to skip. */
  private static @Nullable String keyOf(CharSequence s, int from, int to) {
    int length = to - from;
    char first = s.charAt(from);
    if (length == 1) {
      return first == 'h' ? "h" : first == 'a' ? "a" : first == 'c' ? "c" : null;
    }
    if (length != 2) {
      return null;
    }
    char second = s.charAt(from + 1);
    if (first == 't') {
      return second == 'i'
          ? "ti"
          : second == 'o' ? "to" : second == '0' ? "t0" : second == 'r' ? "tr" : null;
    }
    if (first == 'b') {
      return second == 't'
          ? "bt"
          : second == 'c' ? "bc" : second == 'h' ? "bh" : second == 'w' ? "bw" : null;
    }
    return first == 'h' && second == 't' ? "ht" : null;
  }

  private static long parseHex(CharSequence s, int from, int to) {
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) {
        return -1;
      }
      value = value << 4 | digit;
    }
    return value;
  }

  private static boolean allF(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != 'f') {
        return false;
      }
    }
    return true;
  }
}
