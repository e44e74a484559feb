/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics.internal;

import dev.baton.transport.internal.DestinationPattern;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not API: the label value for a destination. The first configured pattern that matches replaces
 * the destination (so {@code agents.tasks.*} is one series, not one per subject), then the number
 * of distinct values is capped ({@link TagLimiter}). Answers are cached, up to 10,000 destinations.
 * Thread-safe.
 */
public final class DestinationLabels {

  private static final int CACHE = 10_000;

  private final List<String> patterns;
  private final List<DestinationPattern> matchers;
  private final TagLimiter limiter;
  private final Map<String, String> cache = new ConcurrentHashMap<>();

  /**
   * Labels by {@code patterns} (NATS wildcard syntax, first match wins), at most {@code maxValues}
   * distinct values.
   */
  public DestinationLabels(List<String> patterns, int maxValues) {
    this.patterns = List.copyOf(patterns);
    this.matchers = this.patterns.stream().map(DestinationPattern::parse).toList();
    this.limiter = new TagLimiter(maxValues);
  }

  /** Checks that {@code pattern} parses; throws {@link IllegalArgumentException} if not. */
  public static void check(String pattern) {
    DestinationPattern.parse(pattern);
  }

  /** The label value for {@code destination}. */
  public String label(String destination) {
    String cached = cache.get(destination);
    if (cached != null) {
      return cached;
    }
    String label = destination;
    for (int i = 0; i < matchers.size(); i++) {
      if (matchers.get(i).matches(destination)) {
        label = patterns.get(i);
        break;
      }
    }
    label = limiter.limit(label);
    if (cache.size() < CACHE) {
      cache.put(destination, label);
    }
    return label;
  }
}
