/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi.probe;

import dev.baton.transport.TransportListener;
import dev.baton.transport.TransportListener.SubscriptionChange;
import dev.baton.transport.TransportListener.SubscriptionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether each consumer group a broker-side reader sees has a consumer running, for transport
 * authors: one round of readings at a time ({@link #seen} per group), a {@link SubscriptionChange}
 * (STARTED or STOPPED) on a group's first reading and whenever that changes, and at the end of a
 * round ({@link #endRound}) STOPPED for every group that was not read again. Not thread-safe: one
 * reader thread.
 */
public final class ConsumerPresence {

  /** A destination and a consumer group. */
  public record Group(String destination, String group) {}

  private final String system;
  private final Map<Group, Boolean> running = new HashMap<>();
  private final Set<Group> seenThisRound = new HashSet<>();

  /**
   * Presence for the groups of {@code system} ({@code nats}, {@code kafka}).
   *
   * @param system the messaging system
   */
  public ConsumerPresence(String system) {
    this.system = system;
  }

  /**
   * Records that {@code group} was read in this round and whether a consumer runs.
   *
   * @param listener where a consumer that reappears is reported
   * @param group the group read
   * @param hasConsumer whether a consumer runs for it now
   */
  public void seen(TransportListener listener, Group group, boolean hasConsumer) {
    seenThisRound.add(group);
    Boolean before = running.put(group, hasConsumer);
    if (before == null || before != hasConsumer) {
      listener.onSubscription(
          new SubscriptionChange(
              system,
              group.destination(),
              group.group(),
              hasConsumer ? SubscriptionState.STARTED : SubscriptionState.STOPPED));
    }
  }

  /**
   * Ends a round: every group known but not read in it is reported STOPPED, forgotten and returned
   * (so the reader can report its lag unknown).
   *
   * @param listener where the groups that stopped are reported
   * @return the groups that disappeared in this round
   */
  public List<Group> endRound(TransportListener listener) {
    List<Group> gone = new ArrayList<>();
    for (Group group : new ArrayList<>(running.keySet())) {
      if (!seenThisRound.contains(group)) {
        running.remove(group);
        gone.add(group);
        listener.onSubscription(
            new SubscriptionChange(
                system, group.destination(), group.group(), SubscriptionState.STOPPED));
      }
    }
    seenThisRound.clear();
    return gone;
  }
}
