package dev.baton.bench;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.Received;
import dev.baton.transport.TransportListener.Sent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The metrics listener on the message path, in the steady state (meters already created): one event
 * of each kind, against a bare Micrometer counter increment as the baseline of the ratio. Run with
 * {@code -prof gc} to see the allocation rate (B/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ListenerPathBenchmark {

  private BackplaneMetrics metrics;
  private Counter baseline;
  private Sent sent;
  private Received received;
  private Processed processed;

  @Setup
  public void setUp() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics = BackplaneMetrics.builder().addDestinationPattern("agents.tasks.*").build();
    metrics.bindTo(registry);
    baseline = registry.counter("baseline");
    sent = new Sent("nats", "planner", "agents.tasks.4711", 512, 1_200_000, null);
    received =
        new Received(
            "nats", "writer", "agents.tasks.4711", "writers", "planner", 512, 3_400_000, 1);
    processed =
        new Processed(
            "nats", "writer", "agents.tasks.4711", "writers", Outcome.ACK, 25_000_000, null);
    // create the meters: the benchmark measures the steady state
    metrics.onSent(sent);
    metrics.onReceived(received);
    metrics.onProcessed(processed);
  }

  @Benchmark
  public void baselineCounterIncrement() {
    baseline.increment();
  }

  @Benchmark
  public void onSent() {
    metrics.onSent(sent);
  }

  @Benchmark
  public void onReceived() {
    metrics.onReceived(received);
  }

  @Benchmark
  public void onProcessed() {
    metrics.onProcessed(processed);
  }
}
