/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

/** Why Baton did not take (inbound) or did not send (outbound) part of a message's context. */
public enum RejectionReason {
  /** The message carried no {@code traceparent}: an uninstrumented sender. A new trace starts. */
  MISSING_CONTEXT,
  /** The {@code traceparent} broke the W3C Trace Context rules. A new trace starts. */
  INVALID_TRACEPARENT,
  /** The {@code tracestate} broke the W3C rules and was dropped; the trace continues. */
  INVALID_TRACESTATE,
  /** One or more baggage members were malformed and were dropped; the valid ones were kept. */
  INVALID_BAGGAGE,
  /** The baggage was over the W3C limits (64 members, 8192 bytes); the excess was dropped. */
  BAGGAGE_LIMIT_EXCEEDED,
  /** A propagation header appeared more than once; the last one was used. */
  DUPLICATE_HEADER,
  /** A {@code baton-*} header (sent-at stamp, hop count) was malformed and was ignored. */
  INVALID_BATON_HEADER,
  /**
   * Outbound: whole baggage members were left off because of the allow-list or because they did not
   * fit the header byte budget.
   */
  BAGGAGE_NOT_SENT,
  /**
   * The W3C {@code traceparent} and the context read by the propagator configured on the {@code
   * OpenTelemetry} instance (B3, Jaeger, ...) named different spans; the W3C context was used.
   */
  CONFLICTING_CONTEXT
}
