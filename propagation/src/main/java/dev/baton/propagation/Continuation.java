/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

/** What a receiver does with the sender's trace. */
public enum Continuation {
  /** The process span is a child of the sender's span (and linked to it): one trace. */
  CONTINUE,
  /** The process span starts a new trace, linked to the sender's span. */
  NEW_TRACE_WITH_LINK
}
