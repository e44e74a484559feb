/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;

/** Puts the current span's trace and span ids into the log MDC, so logs and traces join. */
final class Mdc implements AutoCloseable {

  private Mdc() {}

  /** For the duration of a try-with-resources block. */
  static Mdc fromCurrentSpan() {
    SpanContext context = Span.current().getSpanContext();
    if (context.isValid()) {
      MDC.put("trace_id", context.getTraceId());
      MDC.put("span_id", context.getSpanId());
    }
    return new Mdc();
  }

  @Override
  public void close() {
    MDC.remove("trace_id");
    MDC.remove("span_id");
  }
}
