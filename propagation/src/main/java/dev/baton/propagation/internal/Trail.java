/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import org.jspecify.annotations.Nullable;

/**
 * Not API: the last agents a conversation's work passed through, as the ledger carries them ({@code
 * tr=}, 4 hex digits per agent, oldest first, at most {@value #MAX} agents: 48 characters), and the
 * check for a cycle that repeats.
 */
public final class Trail {

  /** The most agents the trail holds. */
  public static final int MAX = 12;

  /** The longest cycle looked for. */
  public static final int MAX_PERIOD = 4;

  private Trail() {}

  private record Tagged(String name, String tag) {}

  // An agent hands work on under one name: its tag is worked out once, not per message.
  private static volatile Tagged last = new Tagged("", "");

  /** Agent {@code name}'s 4-hex tag. */
  public static String tag(String name) {
    Tagged cached = last;
    if (cached.name.equals(name)) {
      return cached.tag;
    }
    String tag = compute(name);
    last = new Tagged(name, tag);
    return tag;
  }

  private static String compute(String name) {
    int h = name.hashCode() * 0x85EBCA6B;
    h ^= h >>> 16;
    String hex = Integer.toHexString((h & 0xffff) | 0x10000);
    return hex.substring(1);
  }

  /** {@code trail} with {@code tag} appended, the oldest dropped past {@link #MAX}. */
  public static String append(String trail, String tag) {
    String joined = trail + tag;
    return joined.length() > MAX * 4 ? joined.substring(joined.length() - MAX * 4) : joined;
  }

  /** Whether {@code value} is a trail: up to {@link #MAX} tags of 4 lower-case hex digits. */
  public static boolean isTrail(CharSequence value, int from, int to) {
    int length = to - from;
    if (length % 4 != 0 || length > MAX * 4) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /**
   * The cycle that {@code trail} (ending with the sender) and then {@code self} close, repeated
   * {@code repeats} times in a row at the end: its tags, oldest first, or {@code null}. The
   * shortest such cycle wins; a single visit back (coordinator, worker, coordinator) is none.
   */
  public static String @Nullable [] cycle(String trail, String self, int repeats) {
    String s = append(trail, self);
    int n = s.length() / 4;
    for (int period = 1; period <= MAX_PERIOD; period++) {
      if (period * repeats > n) {
        return null;
      }
      int start = (n - period * repeats) * 4;
      boolean repeating = true;
      for (int i = period * 4; i < period * repeats * 4 && repeating; i++) {
        repeating = s.charAt(start + i) == s.charAt(start + i - period * 4);
      }
      if (repeating && (period > 1 || repeats > 1)) {
        String[] tags = new String[period];
        for (int i = 0; i < period; i++) {
          int at = start + (period * (repeats - 1) + i) * 4;
          tags[i] = s.substring(at, at + 4);
        }
        return tags;
      }
    }
    return null;
  }
}
