/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Not API: caps the distinct values of one label. The first {@code max} values pass; every later
 * new value becomes {@value #OVERFLOW}. Allocation-free for a value already seen. Thread-safe.
 */
public final class TagLimiter {

  /** What values past the cap become. */
  public static final String OVERFLOW = "other";

  private final int max;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger size = new AtomicInteger();

  public TagLimiter(int max) {
    this.max = max;
  }

  /** {@code value}, or {@value #OVERFLOW} when the label already holds {@code max} values. */
  public String limit(String value) {
    if (admitted.contains(value)) {
      return value;
    }
    if (size.get() >= max) {
      return OVERFLOW;
    }
    if (size.incrementAndGet() <= max) {
      admitted.add(value);
      return value;
    }
    size.decrementAndGet();
    return admitted.contains(value) ? value : OVERFLOW;
  }

  /** How many distinct values passed. */
  public int size() {
    return admitted.size();
  }
}
