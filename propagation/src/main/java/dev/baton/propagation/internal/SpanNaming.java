/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import dev.baton.transport.internal.DestinationPattern;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Not API: how one {@link dev.baton.propagation.Baton} names its spans: the destination patterns
 * whose matches are named for the pattern, how many distinct destination names its spans may carry
 * before they fall back to the operation alone, and whether process spans are GenAI {@code
 * invoke_agent} spans.
 *
 * @param patterns destination patterns, first match wins
 * @param limit distinct destination names (patterns and templates included) per transport
 * @param genAi whether process spans are {@code invoke_agent {gen_ai.agent.name}} spans
 */
public record SpanNaming(List<DestinationPattern> patterns, int limit, boolean genAi) {

  /** The environment variable OpenTelemetry's own instrumentation reads for opt-in conventions. */
  public static final String OPT_IN_VARIABLE = "OTEL_SEMCONV_STABILITY_OPT_IN";

  /** The value in {@link #OPT_IN_VARIABLE} that turns on the latest GenAI conventions. */
  public static final String GEN_AI_OPT_IN = "gen_ai_latest_experimental";

  public SpanNaming {
    patterns = List.copyOf(patterns);
  }

  /** The first pattern {@code destination} matches, or {@code null}. Allocates nothing. */
  public @Nullable String patternOf(String destination) {
    for (int i = 0; i < patterns.size(); i++) {
      DestinationPattern pattern = patterns.get(i);
      if (pattern.matches(destination)) {
        return pattern.toString();
      }
    }
    return null;
  }

  /**
   * Whether {@code optIn} (the value of {@link #OPT_IN_VARIABLE}: a comma-separated list) asks for
   * the latest GenAI conventions.
   */
  public static boolean optsInToGenAi(@Nullable String optIn) {
    if (optIn == null) {
      return false;
    }
    for (String value : optIn.split(",", -1)) {
      if (value.trim().equals(GEN_AI_OPT_IN)) {
        return true;
      }
    }
    return false;
  }
}
