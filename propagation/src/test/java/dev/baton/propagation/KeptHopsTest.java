/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.MessageHandler;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * At a low sampling rate, a hop whose handler failed (or ran slow) is recorded anyway: a span of
 * its own in the message's trace, linked to the sender's span, marked with why it was kept.
 */
class KeptHopsTest {

  private static final AttributeKey<String> KEPT = AttributeKey.stringKey("baton.kept");
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String SENDER_SPAN = "b7ad6b7169203331";

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  // One percent of new traces, and a child follows its parent: what production runs.
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(0.01)))
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .build();
  private final RecordingListener listener = new RecordingListener();

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  private MessagingEngine<Map<String, List<String>>> engine(Consumer<Baton.Builder> config) {
    Baton.Builder builder = Baton.builder(sdk).setAgentName("worker").addListener(listener);
    config.accept(builder);
    return MessagingEngine.create(builder.build(), MapHeaders.WIRE);
  }

  private static Map<String, List<String>> headers(String flags) {
    return Map.of(
        "traceparent", List.of("00-" + TRACE + "-" + SENDER_SPAN + "-" + flags),
        "baton", List.of("3;1733241600000000;" + TRACE + ";planner"));
  }

  private static void deliver(
      MessagingEngine<Map<String, List<String>>> engine, String flags, MessageHandler handler)
      throws Exception {
    engine.deliver(Delivery.of("jobs", "", new byte[3]), headers(flags), handler, Settler.none());
  }

  private static MessageHandler failing() {
    return m -> {
      throw new IllegalStateException("the model refused");
    };
  }

  @Test
  void aFailedHopOfAnUnsampledTraceIsRecordedInItsTraceLinkedToTheSender() {
    assertThatThrownBy(() -> deliver(engine(b -> {}), "00", failing()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the model refused");

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(1);
    SpanData kept = spans.get(0);
    assertThat(kept.getName()).isEqualTo("process jobs");
    assertThat(kept.getAttributes().get(KEPT)).isEqualTo("failure");
    assertThat(kept.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(kept.getEvents()).extracting("name").contains("exception");
    assertThat(kept.getTraceId()).isEqualTo(TRACE);
    // The SDK's parent-based sampler drops the hop, so the engine built no span for it (Baton's
    // SdkSampling): the kept span hangs under the sender's span.
    assertThat(kept.getParentSpanId()).isEqualTo(SENDER_SPAN);
    assertThat(kept.getLinks())
        .extracting(LinkData::getSpanContext)
        .anySatisfy(link -> assertThat(link.getSpanId()).isEqualTo(SENDER_SPAN));
    assertThat(kept.getAttributes().get(AttributeKey.longKey("baton.hop"))).isEqualTo(3L);
    assertThat(kept.getEndEpochNanos()).isGreaterThanOrEqualTo(kept.getStartEpochNanos());
    assertThat(listener.processed)
        .singleElement()
        .satisfies(p -> assertThat(p.kept()).isEqualTo("failure"));
  }

  @Test
  void underASamplerTheEngineCannotReadTheKeptSpanHangsUnderTheUnrecordedHop() {
    // A sampler of the application's own: the engine cannot know what it decides, so it builds
    // the hop's span (unrecorded) and the kept span is that span's child.
    Sampler own =
        new Sampler() {
          @Override
          public SamplingResult shouldSample(
              Context parentContext,
              String traceId,
              String name,
              SpanKind spanKind,
              Attributes attributes,
              List<LinkData> parentLinks) {
            return Span.fromContext(parentContext).getSpanContext().isSampled()
                ? SamplingResult.recordAndSample()
                : SamplingResult.drop();
          }

          @Override
          public String getDescription() {
            return "OwnSampler";
          }
        };
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk ownSdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setSampler(own)
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build()) {
      MessagingEngine<Map<String, List<String>>> engine =
          MessagingEngine.create(
              Baton.builder(ownSdk).setAgentName("worker").build(), MapHeaders.WIRE);
      assertThatThrownBy(() -> deliver(engine, "00", failing()))
          .isInstanceOf(IllegalStateException.class);
      assertThat(spans.getFinishedSpanItems())
          .singleElement()
          .satisfies(
              kept -> {
                assertThat(kept.getTraceId()).isEqualTo(TRACE);
                assertThat(kept.getParentSpanId())
                    .isNotEqualTo(SENDER_SPAN)
                    .matches("[0-9a-f]{16}");
                assertThat(kept.getAttributes().get(KEPT)).isEqualTo("failure");
              });
    }
  }

  @Test
  void aHopThatSucceededQuicklyStaysUnrecorded() throws Exception {
    deliver(engine(b -> b.setKeepSlowerThan(Duration.ofMillis(200))), "00", m -> {});

    assertThat(exporter.getFinishedSpanItems()).isEmpty();
    assertThat(listener.processed).singleElement().satisfies(p -> assertThat(p.kept()).isNull());
  }

  @Test
  void aHopSlowerThanTheThresholdIsRecordedAsSlow() throws Exception {
    deliver(
        engine(b -> b.setKeepSlowerThan(Duration.ofMillis(50))),
        "00",
        m -> Thread.sleep(120)); // the handler's own work: it is slow on purpose

    SpanData kept = exporter.getFinishedSpanItems().get(0);
    assertThat(kept.getAttributes().get(KEPT)).isEqualTo("slow");
    assertThat(kept.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(kept.getEndEpochNanos() - kept.getStartEpochNanos())
        .isGreaterThanOrEqualTo(Duration.ofMillis(120).toNanos());
    assertThat(listener.processed.get(0).kept()).isEqualTo("slow");
  }

  @Test
  void keepingFailuresCanBeSwitchedOff() {
    assertThatThrownBy(() -> deliver(engine(b -> b.setKeepFailures(false)), "00", failing()))
        .isInstanceOf(IllegalStateException.class);

    assertThat(exporter.getFinishedSpanItems()).isEmpty();
    assertThat(listener.processed.get(0).kept()).isNull();
  }

  @Test
  void aFailedHopOfASampledTraceIsItsUsualProcessSpanNotAKeptOne() {
    assertThatThrownBy(() -> deliver(engine(b -> {}), "01", failing()))
        .isInstanceOf(IllegalStateException.class);

    SpanData span = exporter.getFinishedSpanItems().get(0);
    assertThat(exporter.getFinishedSpanItems()).hasSize(1);
    assertThat(span.getParentSpanId()).isEqualTo(SENDER_SPAN);
    assertThat(span.getAttributes().get(KEPT)).isNull();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(listener.processed.get(0).kept()).isNull();
  }

  @Test
  void aNegativeThresholdIsRefused() {
    assertThatThrownBy(() -> Baton.builder(sdk).setKeepSlowerThan(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepSlowerThan");
  }
}
