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
  }

  private static volatile Parts parts;

  private BatonAccess() {}

  /** Called once by {@link Baton}'s static initializer. */
  public static void install(Parts installed) {
    parts = Objects.requireNonNull(installed, "installed");
  }

  /** The parts of a Baton. */
  public static Parts parts() {
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
