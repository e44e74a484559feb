/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import dev.baton.propagation.Baton;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationBudget;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.internal.TraceParent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Collection;

/**
 * The OpenTelemetry set-ups the benchmarks compare: a real SDK with the batching span processor and
 * an exporter that drops the batch (so the cost measured is the instrumentation's, up to the
 * exporter), sampling everything or nothing.
 */
public final class Tracing {

  private Tracing() {}

  /** Which spans are recorded. */
  public enum Sampling {
    SAMPLED,
    UNSAMPLED
  }

  public static OpenTelemetrySdk sdk(Sampling sampling) {
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder()
            .setSampler(sampling == Sampling.SAMPLED ? Sampler.alwaysOn() : Sampler.alwaysOff())
            .addSpanProcessor(
                // A queue deep enough that no span is dropped: a dropped span would skip its
                // export and make the sampled figures look cheaper than they are.
                BatchSpanProcessor.builder(new Discard())
                    .setMaxQueueSize(1 << 18)
                    .setMaxExportBatchSize(4096)
                    .setScheduleDelay(Duration.ofMillis(50))
                    .build())
            .build();
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  private static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  private static final AttributeKey<Long> BODY_SIZE =
      AttributeKey.longKey("messaging.message.body.size");
  private static final AttributeKey<Long> HOP = AttributeKey.longKey("baton.hop");
  private static final Attributes SPAN_ATTRIBUTES =
      Attributes.builder()
          .put("gen_ai.agent.name", "bench")
          .put("gen_ai.agent.id", "bench-3f2a6b4e-8d51-4c1e-9a0b-5e7f1c2d3b4a")
          .put("messaging.system", "nats")
          .put("messaging.operation.type", "send")
          .put("messaging.operation.name", "send")
          .put("messaging.destination.name", "bench.publish")
          .put("server.address", "127.0.0.1")
          .put("server.port", 4222L)
          .build();

  /**
   * The context a handler runs in when its message's sender was not sampled (a remote parent): an
   * agent's onward send under it is what low sampling costs on almost every message. As Baton's
   * receive builds it: the sender's context as Baton parsed it, which is its own non-recording
   * span.
   */
  public static final Context UNSAMPLED_SENDER =
      Context.root()
          .with(
              (Span)
                  java.util.Objects.requireNonNull(
                      TraceParent.parse(
                          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
                          TraceState.getDefault())));

  private static final SpanContext SENDER =
      SpanContext.createFromRemoteParent(
          "0af7651916cd43dd8448eb211c80319c",
          "b7ad6b7169203331",
          TraceFlags.getSampled(),
          TraceState.getDefault());

  /**
   * What the OpenTelemetry SDK alone costs for one span like Baton's: eleven attributes, started,
   * ended and exported (no message moves). A CONSUMER span also carries Baton's link to the
   * sender's span.
   */
  public static void spanAlone(Tracer tracer, SpanKind kind, int payloadBytes) {
    var builder = tracer.spanBuilder("send bench.publish").setSpanKind(kind);
    if (kind == SpanKind.CONSUMER) {
      builder.addLink(SENDER);
    }
    Span span = builder.startSpan();
    span.setAllAttributes(SPAN_ATTRIBUTES);
    span.setAttribute(MESSAGE_ID, "0af7651916cd43dd8448eb211c80319c");
    span.setAttribute(BODY_SIZE, (long) payloadBytes);
    span.setAttribute(HOP, 1L);
    span.end();
  }

  static void close(OpenTelemetry openTelemetry) {
    if (openTelemetry instanceof OpenTelemetrySdk sdk) {
      sdk.close();
    }
  }

  /** Drops every batch: the export's cost is the backend's, not the instrumentation's. */
  private static final class Discard implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** A Baton builder for agent {@code bench} with conversations on (minted where none). */
  public static Baton.Builder conversing(OpenTelemetrySdk sdk) {
    return Baton.builder(sdk).setAgentName("bench").setConversations(ConversationMode.MINT);
  }

  /**
   * {@code parent} inside a conversation that has come a way: three hand-offs, two agents, tokens,
   * cost and handler time, a budget and a trail, as a handler that received it would hold it (the
   * totals a send writes on).
   */
  public static Context inConversation(Context parent) {
    try (io.opentelemetry.context.Scope ignored = parent.makeCurrent()) {
      Context context =
          Conversation.begin(
              "bench-conversation-0af7651916cd",
              ConversationBudget.builder().setMaxTokens(1_000_000).setMaxHops(50).build());
      Conversation conversation = Conversation.fromContext(context);
      conversation.addUsage(1200, 300, 0.0009);
      return context;
    }
  }
}
