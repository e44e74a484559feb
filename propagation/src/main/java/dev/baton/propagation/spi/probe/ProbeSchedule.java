package dev.baton.propagation.spi.probe;

import dev.baton.transport.internal.DaemonThreads;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A transport's probe (backlog, queue depth) on its own daemon thread, off the message path: the
 * task runs every interval after the previous run ended, so a slow probe only delays the next. The
 * transport owns it and closes it.
 */
public final class ProbeSchedule implements AutoCloseable {

  private final @Nullable ScheduledExecutorService executor;

  private ProbeSchedule(@Nullable ScheduledExecutorService executor) {
    this.executor = executor;
  }

  /** A schedule that runs nothing. */
  public static ProbeSchedule none() {
    return new ProbeSchedule(null);
  }

  /** Runs {@code task} every {@code interval} on a thread named {@code threadName}; ZERO: never. */
  public static ProbeSchedule start(String threadName, Duration interval, Runnable task) {
    Objects.requireNonNull(task, "task");
    if (interval.isZero()) {
      return new ProbeSchedule(null);
    }
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(threadName));
    long millis = Math.max(1, interval.toMillis());
    executor.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    return new ProbeSchedule(executor);
  }

  /** Stops the probe and waits up to 10 s for a run in progress to end. Idempotent. */
  @Override
  public void close() {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
