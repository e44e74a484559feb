/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import dev.baton.launchers.NatsServer;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.transport.Publisher;
import dev.baton.transport.nats.NatsBaton;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.nats.v2_17.NatsTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Core NATS publish of a 1 KiB payload to a real nats-server the benchmark starts (no subscriber,
 * so the server drops it): the raw client, the raw client with one {@code traceparent} header (the
 * floor any propagation pays), OpenTelemetry's own NATS library ({@code opentelemetry-nats-2.17},
 * its wrapped connection) sampled and unsampled, and Baton sampled, unsampled and sampled with
 * {@link BackplaneMetrics} listening. Run with {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class NatsPublishBenchmark {

  static final String SUBJECT = "bench.publish";
  static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private Tracer sdkTracer;

  @Param({"1024"})
  public int payloadBytes;

  private NatsServer server;
  private Connection connection;
  private byte[] payload;
  private OpenTelemetrySdk sampledSdk;
  private OpenTelemetrySdk unsampledSdk;
  private NatsBaton sampled;
  private NatsBaton unsampled;
  private Publisher sampledPublisher;
  private Publisher unsampledPublisher;
  private NatsBaton withMetrics;
  private Publisher withMetricsPublisher;
  private Connection otelSampled;
  private Connection otelUnsampled;
  private NatsBaton conversingSampled;
  private NatsBaton conversingUnsampled;
  private Publisher conversingSampledPublisher;
  private Publisher conversingUnsampledPublisher;
  private Context inConversation;
  private Context inConversationUnsampledSender;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    server = NatsServer.start();
    connection = Nats.connect(new Options.Builder().server(server.url()).build());
    payload = new byte[payloadBytes];
    sampledSdk = Tracing.sdk(Tracing.Sampling.SAMPLED);
    unsampledSdk = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
    sampled = baton(sampledSdk);
    unsampled = baton(unsampledSdk);
    sampledPublisher = sampled.publisher();
    unsampledPublisher = unsampled.publisher();
    sdkTracer = sampledSdk.getTracer("bench");
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    withMetrics = baton(Baton.builder(sampledSdk).setAgentName("bench").addListener(metrics));
    withMetricsPublisher = withMetrics.publisher();
    otelSampled = NatsTelemetry.create(sampledSdk).wrap(connection);
    otelUnsampled = NatsTelemetry.create(unsampledSdk).wrap(connection);
    conversingSampled = baton(Tracing.conversing(sampledSdk));
    conversingUnsampled = baton(Tracing.conversing(unsampledSdk));
    conversingSampledPublisher = conversingSampled.publisher();
    conversingUnsampledPublisher = conversingUnsampled.publisher();
    inConversation = Tracing.inConversation(Context.root());
    inConversationUnsampledSender = Tracing.inConversation(Tracing.UNSAMPLED_SENDER);
  }

  private NatsBaton baton(OpenTelemetrySdk sdk) {
    return baton(Baton.builder(sdk).setAgentName("bench"));
  }

  private NatsBaton baton(Baton.Builder baton) {
    return NatsBaton.builder(baton.build(), connection).setBacklogInterval(Duration.ZERO).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    sampled.close();
    unsampled.close();
    withMetrics.close();
    conversingSampled.close();
    conversingUnsampled.close();
    connection.close();
    Tracing.close(sampledSdk);
    Tracing.close(unsampledSdk);
    if (server != null) {
      server.close();
    }
  }

  @Benchmark
  public void raw() {
    connection.publish(SUBJECT, payload);
  }

  @Benchmark
  public void rawWithTraceparent() {
    Headers headers = new Headers();
    headers.put("traceparent", TRACEPARENT);
    connection.publish(SUBJECT, headers, payload);
  }

  @Benchmark
  public void otelSampled() {
    otelSampled.publish(SUBJECT, payload);
  }

  @Benchmark
  public void otelUnsampled() {
    otelUnsampled.publish(SUBJECT, payload);
  }

  @Benchmark
  public void batonSampled() {
    sampledPublisher.publish(SUBJECT, payload);
  }

  @Benchmark
  public void batonUnsampled() {
    unsampledPublisher.publish(SUBJECT, payload);
  }

  /** An unsampled send from a handler whose message's sender was not sampled. */
  @Benchmark
  public void batonUnsampledOnward() {
    try (io.opentelemetry.context.Scope ignored = Tracing.UNSAMPLED_SENDER.makeCurrent()) {
      unsampledPublisher.publish(SUBJECT, payload);
    }
  }

  /**
   * For reading the sampled figures: what the OpenTelemetry SDK alone costs for one PRODUCER span
   * with the same eleven attributes a Baton send span carries, started, ended and exported (no
   * message is sent).
   */
  @Benchmark
  public void sdkSpanAlone() {
    Tracing.spanAlone(sdkTracer, SpanKind.PRODUCER, payload.length);
  }

  /** {@link #batonSampled} with conversations on, inside one (its totals written on). */
  @Benchmark
  public void batonConversationSampled() {
    try (io.opentelemetry.context.Scope ignored = inConversation.makeCurrent()) {
      conversingSampledPublisher.publish(SUBJECT, payload);
    }
  }

  /** {@link #batonUnsampledOnward} with conversations on, inside one. */
  @Benchmark
  public void batonConversationUnsampledOnward() {
    try (io.opentelemetry.context.Scope ignored = inConversationUnsampledSender.makeCurrent()) {
      conversingUnsampledPublisher.publish(SUBJECT, payload);
    }
  }

  @Benchmark
  public void batonSampledWithMetrics() {
    withMetricsPublisher.publish(SUBJECT, payload);
  }
}
