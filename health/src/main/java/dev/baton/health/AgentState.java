/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where an agent is in its lifecycle, as its heartbeats report it: {@code starting} until it is
 * ready, then {@code idle} and {@code processing} as messages come and go, {@code waiting} while a
 * handler waits on a reply or a fan-in, {@code error} after a handler failed (until the next
 * message), {@code stopping} once it closes. On the wire and in metrics the lower-case name.
 */
public enum AgentState {
  /** Started, not yet taking work. */
  STARTING,
  /** Ready, nothing to do. */
  IDLE,
  /** A handler runs. */
  PROCESSING,
  /** A handler waits on something else: a reply, the other half of a fan-in. */
  WAITING,
  /** The last handler failed. */
  ERROR,
  /** Closing down. */
  STOPPING;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** {@return the lower-case name heartbeats and meters use} */
  public String wireName() {
    return wireName;
  }

  /**
   * {@return the state named {@code wireName} (any case), or {@code null} for none}
   *
   * @param wireName a state's name as heartbeats carry it
   */
  public static @Nullable AgentState parse(@Nullable String wireName) {
    if (wireName == null) {
      return null;
    }
    for (AgentState state : values()) {
      if (state.wireName.equalsIgnoreCase(wireName)) {
        return state;
      }
    }
    return null;
  }
}
