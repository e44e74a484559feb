/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.transport.Transport;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-agent heartbeats over the bus, through the traced transport, on {@link Transport#HEARTBEATS}:
 * each agent publishes a small JSON heartbeat every interval ({@link #publish}), with the identity
 * of the {@code Baton} its transport was created from; a {@link HeartbeatMonitor} (one per process
 * that serves health, {@link #monitor}) calls an agent UNHEALTHY once three of its intervals pass
 * without a heartbeat.
 */
public final class Heartbeats {

  static final ObjectMapper JSON = new ObjectMapper();

  private Heartbeats() {}

  /**
   * Starts publishing heartbeats for the agent {@code transport} sends for, every {@code interval}.
   * The caller closes the returned publisher when the agent stops.
   *
   * @param transport the transport the heartbeats go out on
   * @param interval the time between two heartbeats
   * @return the publisher, to set the agent's state on
   */
  public static HeartbeatPublisher publish(Transport transport, Duration interval) {
    return publish(transport, interval, 1);
  }

  /**
   * {@link #publish(Transport, Duration)} for an agent that knows how many times it has started
   * under its id, this start included ({@code startCount}, from wherever the application keeps it:
   * a database row, a file). The monitors take the larger of this count and the restarts they saw
   * themselves, so the count survives a restart of the monitoring process too.
   *
   * @param transport the transport the heartbeats go out on
   * @param interval the time between two heartbeats
   * @param startCount how many times the agent has started under its id, this start included
   * @return the publisher, to set the agent's state on
   */
  public static HeartbeatPublisher publish(
      Transport transport, Duration interval, long startCount) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(interval, "interval");
    if (startCount < 1) {
      throw new IllegalArgumentException("startCount must be at least 1, was " + startCount);
    }
    return new HeartbeatPublisher(
        transport.publisher(), transport.agentId(), transport.agentName(), interval, startCount);
  }

  /**
   * Starts listening to every agent's heartbeats. The caller closes the monitor.
   *
   * @param transport the transport the heartbeats come in on
   * @return the monitor
   */
  public static HeartbeatMonitor monitor(Transport transport) {
    return new HeartbeatMonitor(
        Objects.requireNonNull(transport, "transport").subscriber(), Clock.systemUTC());
  }
}
