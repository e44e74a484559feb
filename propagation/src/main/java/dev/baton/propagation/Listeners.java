package dev.baton.propagation;

import dev.baton.propagation.internal.WarnOnce;
import dev.baton.transport.TransportListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/** Calls every listener, containing and counting whatever they throw. */
final class Listeners {

  private static final WarnOnce WARN = new WarnOnce(LoggerFactory.getLogger(Listeners.class));

  private final List<TransportListener> listeners;
  private final AtomicLong failures = new AtomicLong();

  Listeners(List<TransportListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  long failures() {
    return failures.get();
  }

  void emit(Consumer<TransportListener> event) {
    for (TransportListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException | LinkageError e) {
        failures.incrementAndGet();
        WARN.log(
            "listener:" + listener.getClass().getName(),
            "Baton listener {} failed: {}",
            listener.getClass().getName(),
            dev.baton.transport.internal.Redaction.describe(e));
      }
    }
  }

  /** Counts a failure inside Baton and tells the listeners (whose own failures are contained). */
  void telemetryFailure(String system, String operation, Throwable error) {
    failures.incrementAndGet();
    WARN.log(
        "telemetry:" + operation + ":" + error.getClass().getName(),
        "Baton {} instrumentation failed during {}; the message went on without it: {}",
        system,
        operation,
        dev.baton.transport.internal.Redaction.describe(error));
    TransportListener.TelemetryFailure event =
        new TransportListener.TelemetryFailure(system, operation, error.getClass().getName());
    emit(l -> l.onTelemetryFailure(event));
  }
}
