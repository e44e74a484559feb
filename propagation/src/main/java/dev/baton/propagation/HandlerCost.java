/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

/**
 * What Baton measures of each handler call, from the JVM's per-thread counters of the handler's
 * thread (see {@link Baton.Builder#setHandlerCost}). Work the handler hands to other threads is not
 * counted; where the JVM does not measure a counter it is left out, never guessed.
 */
public enum HandlerCost {
  /** Nothing. */
  NONE,
  /**
   * The bytes the handler allocated (the default): two reads of a thread-local counter, tens of
   * nanoseconds per message.
   */
  ALLOCATIONS,
  /**
   * The bytes allocated and the CPU time used. Reading a thread's CPU time is a system call, two
   * per message (the README's Cost section has what they cost), so it is for handlers whose own
   * work dwarfs that, such as agents that call a model.
   */
  ALLOCATIONS_AND_CPU
}
