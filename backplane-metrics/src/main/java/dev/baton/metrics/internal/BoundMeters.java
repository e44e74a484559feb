/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics.internal;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Not API: the one registry a binder is bound to and the meters it registered there, removed
 * together on close. Thread-safe.
 */
public final class BoundMeters {

  private final String owner;
  private final AtomicReference<@Nullable MeterRegistry> registry = new AtomicReference<>();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();

  /** For the binder named {@code owner} (it appears in the error for a second registry). */
  public BoundMeters(String owner) {
    this.owner = owner;
  }

  /**
   * Binds to {@code meterRegistry}: true the first time, false when already bound to it; throws
   * {@link IllegalStateException} when already bound to another.
   */
  public boolean bind(MeterRegistry meterRegistry) {
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    if (registry.compareAndSet(null, meterRegistry)) {
      return true;
    }
    if (registry.get() != meterRegistry) {
      throw new IllegalStateException(owner + " is already bound to another registry");
    }
    return false;
  }

  /** The registry bound, or {@code null} before {@link #bind}. */
  public @Nullable MeterRegistry registry() {
    return registry.get();
  }

  /** Remembers {@code meter} for {@link #removeAll}. */
  public <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  /** Removes every meter remembered from the registry. */
  public void removeAll() {
    MeterRegistry r = registry.get();
    if (r != null) {
      meters.forEach(r::remove);
    }
    meters.clear();
  }
}
