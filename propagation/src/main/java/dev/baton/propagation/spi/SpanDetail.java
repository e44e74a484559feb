/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import io.opentelemetry.api.trace.Span;

/**
 * Broker-specific attributes for a span (a partition, an offset), added only when the span is
 * recorded: nothing is built for a span that nobody records.
 */
@FunctionalInterface
public interface SpanDetail {

  /**
   * Adds the attributes to {@code span}, which is recording.
   *
   * @param span the span
   */
  void addTo(Span span);
}
