/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.bench.Tracing;
import dev.baton.launchers.NatsServer;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.TraceExemplars;
import dev.baton.propagation.Baton;
import dev.baton.propagation.HandlerCost;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.MessageHandler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.instrumentation.nats.v2_17.internal.NatsInstrumenterFactory;
import io.opentelemetry.instrumentation.nats.v2_17.internal.OpenTelemetryMessageHandler;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The receive path, from jnats' callback to the handler's return, for a 1 KiB message that a Baton
 * sender wrote ({@code traceparent} and {@code baton} headers): the raw callback that reads the
 * {@code traceparent} (the floor), OpenTelemetry's NATS library's handler sampled and unsampled,
 * and Baton's callback sampled, unsampled, without the handler cost measurement, with {@link
 * BackplaneMetrics} listening, and with those metrics on a registry that takes exemplars. The
 * message is received once from the server and handed to each handler again and again: no socket is
 * on the measured path. Run with {@code -prof gc}.
 *
 * <p>It is the one benchmark in a transport's package ({@code dev.baton.transport.nats}), for a
 * reason: it calls the transport's package-private receive handler directly; a public door to that
 * handler would widen the API for a benchmark's sake.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class NatsReceiveBenchmark {

  private NatsServer server;
  private Connection connection;
  private OpenTelemetrySdk sampledSdk;
  private OpenTelemetrySdk unsampledSdk;
  private Message sampledMessage;
  private Message unsampledMessage;
  private io.nats.client.MessageHandler raw;
  private io.nats.client.MessageHandler sampled;
  private io.nats.client.MessageHandler unsampled;
  private io.nats.client.MessageHandler sampledWithMetrics;
  private io.nats.client.MessageHandler sampledWithoutHandlerCost;
  private io.nats.client.MessageHandler sampledWithCpuTime;
  private io.nats.client.MessageHandler sampledWithMetricsAndExemplars;
  private io.nats.client.MessageHandler otelSampled;
  private io.nats.client.MessageHandler otelUnsampled;
  private Message sampledConversationMessage;
  private Message unsampledConversationMessage;
  private io.nats.client.MessageHandler conversingSampled;
  private io.nats.client.MessageHandler conversingUnsampled;
  private Blackhole blackhole;

  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) throws Exception {
    this.blackhole = blackhole;
    server = NatsServer.start();
    connection = Nats.connect(new Options.Builder().server(server.url()).build());
    sampledSdk = Tracing.sdk(Tracing.Sampling.SAMPLED);
    unsampledSdk = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
    byte[] payload = new byte[1024];
    long now = System.currentTimeMillis() * 1000;
    sampledMessage =
        received(payload, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", now);
    unsampledMessage =
        received(payload, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", now);
    MessageHandler app = m -> blackhole.consume(m.payload());
    raw =
        msg -> {
          blackhole.consume(msg.getHeaders().getLast("traceparent"));
          blackhole.consume(msg.getData());
        };
    sampled = handler(Baton.builder(sampledSdk).setAgentName("bench").build(), app);
    unsampled = handler(Baton.builder(unsampledSdk).setAgentName("bench").build(), app);
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    sampledWithMetrics =
        handler(Baton.builder(sampledSdk).setAgentName("bench").addListener(metrics).build(), app);
    sampledWithoutHandlerCost =
        handler(
            Baton.builder(sampledSdk)
                .setAgentName("bench")
                .setHandlerCost(HandlerCost.NONE)
                .build(),
            app);
    sampledWithCpuTime =
        handler(
            Baton.builder(sampledSdk)
                .setAgentName("bench")
                .setHandlerCost(HandlerCost.ALLOCATIONS_AND_CPU)
                .build(),
            app);
    BackplaneMetrics exemplarMetrics = BackplaneMetrics.builder().build();
    exemplarMetrics.bindTo(TraceExemplars.prometheusRegistry());
    sampledWithMetricsAndExemplars =
        handler(
            Baton.builder(sampledSdk).setAgentName("bench").addListener(exemplarMetrics).build(),
            app);
    // A message in a conversation that has come a way: the id in baggage, the totals (three
    // hand-offs, two agents, tokens, cost, handler time, a budget, a trail) after the name.
    String ledger =
        " h=3,a=2.0000000000000011,t0="
            + (now - 5_000_000)
            + ",ti=1200,to=300,c=900,ht=450000,bt=1000000,bh=50,tr=1a2b3c4d1a2b";
    sampledConversationMessage =
        received(payload, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", now, ledger);
    unsampledConversationMessage =
        received(payload, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", now, ledger);
    conversingSampled = handler(Tracing.conversing(sampledSdk).build(), app);
    conversingUnsampled = handler(Tracing.conversing(unsampledSdk).build(), app);
    io.nats.client.MessageHandler otelApp = msg -> blackhole.consume(msg.getData());
    otelSampled = otel(sampledSdk, otelApp);
    otelUnsampled = otel(unsampledSdk, otelApp);
  }

  /**
   * OpenTelemetry's NATS library on the receive path: the handler its instrumented dispatcher wraps
   * around the application's (a class of its {@code internal} package, the code it runs per
   * message), with the process span it makes from the message's headers.
   */
  private static io.nats.client.MessageHandler otel(
      OpenTelemetrySdk sdk, io.nats.client.MessageHandler app) {
    return new OpenTelemetryMessageHandler(
        app, NatsInstrumenterFactory.createConsumerProcessInstrumenter(sdk, List.of()));
  }

  /**
   * The message as jnats hands it to a handler: published once through the server and received
   * (with its connection, which OpenTelemetry's handler reads for the server's address).
   */
  private Message received(byte[] payload, String traceparent, long sentAtMicros) throws Exception {
    return received(payload, traceparent, sentAtMicros, null);
  }

  private Message received(
      byte[] payload, String traceparent, long sentAtMicros, @Nullable String ledger)
      throws Exception {
    io.nats.client.Subscription subscription = connection.subscribe("bench.receive");
    try {
      connection.publish(message(payload, traceparent, sentAtMicros, ledger));
      Message received = subscription.nextMessage(Duration.ofSeconds(5));
      if (received == null) {
        throw new IllegalStateException("the benchmark's message did not come back");
      }
      return received;
    } finally {
      subscription.unsubscribe();
    }
  }

  private static Message message(
      byte[] payload, String traceparent, long sentAtMicros, @Nullable String ledger) {
    Headers headers =
        new Headers()
            .put("traceparent", traceparent)
            .put(
                "baton",
                "1;"
                    + sentAtMicros
                    + ";0af7651916cd43dd8448eb211c80319c;sender"
                    + (ledger == null ? "" : ledger));
    if (ledger != null) {
      headers.put("baggage", "gen_ai.conversation.id=bench-conversation-0af7651916cd");
    }
    return NatsMessage.builder().subject("bench.receive").headers(headers).data(payload).build();
  }

  private io.nats.client.MessageHandler handler(Baton baton, MessageHandler app) {
    NatsSender sender =
        new NatsSender(connection, MessagingEngine.create(baton, new NatsWire(connection)));
    return NatsReceiver.handler(sender, "bench.receive", "", app);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    connection.close();
    sampledSdk.close();
    unsampledSdk.close();
    server.close();
  }

  @Benchmark
  public void rawWithTraceparent() throws InterruptedException {
    raw.onMessage(sampledMessage);
  }

  @Benchmark
  public void otelSampled() throws InterruptedException {
    otelSampled.onMessage(sampledMessage);
  }

  @Benchmark
  public void otelUnsampled() throws InterruptedException {
    otelUnsampled.onMessage(unsampledMessage);
  }

  @Benchmark
  public void batonSampled() throws InterruptedException {
    sampled.onMessage(sampledMessage);
  }

  @Benchmark
  public void batonUnsampled() throws InterruptedException {
    unsampled.onMessage(unsampledMessage);
  }

  /** {@link #batonSampled} with conversations on, for a message in one. */
  @Benchmark
  public void batonConversationSampled() throws InterruptedException {
    conversingSampled.onMessage(sampledConversationMessage);
  }

  /** {@link #batonUnsampled} with conversations on, for a message in one. */
  @Benchmark
  public void batonConversationUnsampled() throws InterruptedException {
    conversingUnsampled.onMessage(unsampledConversationMessage);
  }

  @Benchmark
  public void batonSampledWithMetrics() throws InterruptedException {
    sampledWithMetrics.onMessage(sampledMessage);
  }

  /**
   * For reading the sampled figures: what the OpenTelemetry SDK alone costs for one CONSUMER span
   * with the attributes and the link a Baton process span carries (no message is handled).
   */
  @Benchmark
  public void sdkSpanAlone() {
    dev.baton.bench.Tracing.spanAlone(
        sampledSdk.getTracer("bench"), io.opentelemetry.api.trace.SpanKind.CONSUMER, 1024);
  }

  /** Without measuring the handler's allocations ({@code HandlerCost.NONE}). */
  @Benchmark
  public void batonSampledWithoutHandlerCost() throws InterruptedException {
    sampledWithoutHandlerCost.onMessage(sampledMessage);
  }

  /** Measuring the handler's CPU time too ({@code HandlerCost.ALLOCATIONS_AND_CPU}). */
  @Benchmark
  public void batonSampledWithCpuTime() throws InterruptedException {
    sampledWithCpuTime.onMessage(sampledMessage);
  }

  /** With metrics on a registry whose histograms take exemplars ({@code TraceExemplars}). */
  @Benchmark
  public void batonSampledWithMetricsAndExemplars() throws InterruptedException {
    sampledWithMetricsAndExemplars.onMessage(sampledMessage);
  }
}
