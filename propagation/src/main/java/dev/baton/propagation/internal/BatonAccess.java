/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import dev.baton.propagation.Baton;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Objects;

/**
 * Not API: how the transport SPI reaches the parts of a {@link Baton} that agent code does not see
 * (its tracer, its listeners, its configured propagator), without making them public on {@code
 * Baton}.
 */
public final class BatonAccess {

  /** What {@link Baton} hands to the engine. */
  public interface Parts {
    /** The agent's tracer. */
    Tracer tracer(Baton baton);

    /** The agent's listeners. */
    Listeners listeners(Baton baton);

    /** The propagator configured on the agent's {@code OpenTelemetry} instance. */
    TextMapPropagator propagator(Baton baton);

    /**
     * Whether the agent's sampler is known to drop every child of an unsampled parent ({@link
     * SdkSampling}): the engine then builds no span for such a hop.
     */
    boolean dropsUnsampledChildren(Baton baton);

    /** How the agent's spans are named. */
    SpanNaming naming(Baton baton);
  }

  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private static volatile Parts parts;

  private BatonAccess() {}

  /**
   * Called once, by {@link Baton}'s static initializer; refuses every other caller, so no code can
   * replace the hook that hands out a Baton's tracer and listeners.
   */
  public static synchronized void install(Parts installed) {
    Objects.requireNonNull(installed, "installed");
    if (WALKER.getCallerClass() != Baton.class || parts != null) {
      throw new UnsupportedOperationException("only Baton installs its parts, once");
    }
    parts = installed;
  }

  /** The parts of a Baton, for the engine alone: refused to callers outside this module. */
  public static Parts parts() {
    Class<?> caller = WALKER.getCallerClass();
    if (!caller.getPackageName().startsWith("dev.baton.propagation")) {
      throw new UnsupportedOperationException("Baton's parts are for its engine alone");
    }
    Parts p = parts;
    if (p == null) {
      try {
        Class.forName(Baton.class.getName(), true, Baton.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      p = parts;
    }
    return p;
  }
}
