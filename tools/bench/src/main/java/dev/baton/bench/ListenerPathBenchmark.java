/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import dev.baton.health.AgentState;
import dev.baton.health.HeartbeatPublisher;
import dev.baton.health.Heartbeats;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Transport;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.Received;
import dev.baton.transport.TransportListener.Sent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

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
  private Processed processedWithCost;
  private HeartbeatPublisher heartbeat;

  /** Heartbeats go nowhere: the benchmark measures the state change, not the bus. */
  private static final class NoPublisher implements Publisher {
    @Override
    public CompletableFuture<PublishReceipt> publish(OutboundMessage message) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<Message> request(OutboundMessage message, Duration timeout) {
      return new CompletableFuture<>();
    }
  }

  /** A transport whose publisher sends nothing, for the writer agent's heartbeats. */
  private static final class NoTransport implements Transport {
    private final Publisher publisher = new NoPublisher();

    @Override
    public String agentName() {
      return "writer";
    }

    @Override
    public String agentId() {
      return "writer-1";
    }

    @Override
    public Publisher publisher() {
      return publisher;
    }

    @Override
    public Subscriber subscriber() {
      throw new UnsupportedOperationException("the benchmark only publishes");
    }

    @Override
    public Publisher durablePublisher() {
      return publisher;
    }

    @Override
    public Subscriber durableSubscriber() {
      return subscriber();
    }

    @Override
    public void close() {}
  }

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
    processedWithCost =
        new Processed(
            "nats",
            "writer",
            "agents.tasks.4711",
            "writers",
            Outcome.ACK,
            25_000_000,
            null,
            1_500_000,
            40_960);
    // create the meters: the benchmark measures the steady state
    metrics.onSent(sent);
    metrics.onReceived(received);
    metrics.onProcessed(processed);
    metrics.onProcessed(processedWithCost);
    heartbeat = Heartbeats.publish(new NoTransport(), Duration.ofHours(1));
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

  /** A handler's measured cost on the agent's meters: two more counters. */
  @Benchmark
  public void onProcessedWithHandlerCost() {
    metrics.onProcessed(processedWithCost);
  }

  /** An agent going from idle to processing and back, as the demo does around every message. */
  @Benchmark
  public void heartbeatStatePair() {
    heartbeat.setState(AgentState.PROCESSING);
    heartbeat.setState(AgentState.IDLE);
  }

  @TearDown
  public void tearDown() {
    heartbeat.close();
  }
}
