/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads Baton's meters from a registry for assertions, without throwing while a meter does not
 * exist yet (so it can sit in an {@link Await} condition): counters sum over every series with the
 * given tags (0 when there is none), a gauge reads NaN until it exists. Tags are key, value pairs.
 */
public final class Meters {

  private static final String DESTINATION = "messaging.destination.name";

  private final MeterRegistry registry;

  /**
   * Reads from {@code registry}.
   *
   * @param registry the registry
   */
  public Meters(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * {@return the sum of the counters named {@code name} that carry {@code tags}; 0 when none}
   *
   * @param name the meter's name
   * @param tags label names and values, alternating
   */
  public double counter(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  /**
   * {@return the value of the gauge named {@code name} that carries {@code tags}; NaN when none}
   *
   * @param name the meter's name
   * @param tags label names and values, alternating
   */
  public double gauge(String name, String... tags) {
    Gauge gauge = registry.find(name).tags(tags).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  /**
   * {@link #counter} on one destination ({@code messaging.destination.name}).
   *
   * @param name the meter's name
   * @param destination the destination label's value
   * @param tags further label names and values, alternating
   * @return the counters' sum; 0 when none
   */
  public double counterOn(String name, String destination, String... tags) {
    return registry.find(name).tag(DESTINATION, destination).tags(tags).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /**
   * {@link #gauge} on one destination ({@code messaging.destination.name}).
   *
   * @param name the meter's name
   * @param destination the destination label's value
   * @return the gauge's value; NaN when none
   */
  public double gaugeOn(String name, String destination) {
    return gauge(name, DESTINATION, destination);
  }
}
