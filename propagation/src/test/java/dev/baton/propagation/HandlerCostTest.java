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
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What one handler call cost, from the JVM's per-thread counters, on the span and the event. */
class HandlerCostTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final AttributeKey<Double> CPU = AttributeKey.doubleKey("baton.handler.cpu_time");
  private static final AttributeKey<Long> ALLOCATED =
      AttributeKey.longKey("baton.handler.allocated_bytes");
  private static final int FOUR_MIB = 4 << 20;

  private final RecordingListener listener = new RecordingListener();
  private volatile byte[] kept;

  private MessagingEngine<Map<String, List<String>>> engine(Consumer<Baton.Builder> config) {
    Baton.Builder builder =
        Baton.builder(OTEL.getOpenTelemetry()).setAgentName("worker").addListener(listener);
    config.accept(builder);
    return MessagingEngine.create(builder.build(), MapHeaders.WIRE);
  }

  /** Allocates 4 MiB and burns at least 20 ms of this thread's CPU. */
  private void expensiveWork() {
    kept = new byte[FOUR_MIB];
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long until = threads.getCurrentThreadCpuTime() + 20_000_000;
    long x = 0;
    while (threads.getCurrentThreadCpuTime() < until) {
      x += System.nanoTime() % 7;
    }
    kept[0] = (byte) x;
  }

  private void deliver(MessagingEngine<Map<String, List<String>>> engine, MessageHandler handler)
      throws Exception {
    engine.deliver(Delivery.of("jobs", "", new byte[3]), Map.of(), handler, Settler.none());
  }

  @Test
  void theHandlersCpuTimeAndAllocationsGoOnTheProcessSpanAndTheEvent() throws Exception {
    long wallStart = System.nanoTime();
    deliver(engine(b -> b.setHandlerCost(HandlerCost.ALLOCATIONS_AND_CPU)), m -> expensiveWork());
    double wallSeconds = (System.nanoTime() - wallStart) / 1e9;

    SpanData span = OTEL.getSpans().get(0);
    assertThat(span.getName()).isEqualTo("process jobs");
    assertThat(span.getAttributes().get(CPU)).isBetween(0.020, wallSeconds);
    assertThat(span.getAttributes().get(ALLOCATED)).isBetween((long) FOUR_MIB, 64L << 20);
    TransportListener.Processed processed = listener.processed.get(0);
    assertThat(processed.cpuNanos() / 1e9).isEqualTo(span.getAttributes().get(CPU));
    assertThat(processed.allocatedBytes()).isEqualTo(span.getAttributes().get(ALLOCATED));
  }

  @Test
  void byDefaultAllocationsAreMeasuredAndCpuTimeIsNot() throws Exception {
    deliver(engine(b -> {}), m -> expensiveWork());

    SpanData span = OTEL.getSpans().get(0);
    assertThat(span.getAttributes().get(ALLOCATED)).isBetween((long) FOUR_MIB, 64L << 20);
    assertThat(span.getAttributes().get(CPU)).isNull();
    assertThat(listener.processed.get(0).cpuNanos()).isEqualTo(-1);
    assertThat(listener.processed.get(0).allocatedBytes())
        .isEqualTo(span.getAttributes().get(ALLOCATED));
  }

  @Test
  void anUnsampledMessagesCostStillReachesTheListeners() throws Exception {
    MessagingEngine<Map<String, List<String>>> engine =
        MessagingEngine.create(
            Baton.builder(OpenTelemetry.noop())
                .setAgentName("worker")
                .addListener(listener)
                .build(),
            MapHeaders.WIRE);

    deliver(engine, m -> expensiveWork());

    assertThat(listener.processed.get(0).allocatedBytes()).isBetween((long) FOUR_MIB, 64L << 20);
  }

  @Test
  void switchedOffNothingIsMeasured() throws Exception {
    deliver(engine(b -> b.setHandlerCost(HandlerCost.NONE)), m -> expensiveWork());

    SpanData span = OTEL.getSpans().get(0);
    assertThat(span.getAttributes().get(CPU)).isNull();
    assertThat(span.getAttributes().get(ALLOCATED)).isNull();
    assertThat(listener.processed.get(0).cpuNanos()).isEqualTo(-1);
    assertThat(listener.processed.get(0).allocatedBytes()).isEqualTo(-1);
  }

  @Test
  void aHandlerThatThrowsIsMeasuredAndItsExceptionPassesUnchanged() {
    IllegalStateException thrown = new IllegalStateException("the agent's own");

    assertThatThrownBy(
            () ->
                deliver(
                    engine(b -> {}),
                    m -> {
                      expensiveWork();
                      throw thrown;
                    }))
        .isSameAs(thrown);
    assertThat(OTEL.getSpans().get(0).getAttributes().get(ALLOCATED))
        .isGreaterThanOrEqualTo(FOUR_MIB);
    assertThat(listener.processed.get(0).errorType())
        .isEqualTo(IllegalStateException.class.getName());
  }

  @Test
  void listenersHearReceivedAndProcessedWhileTheProcessSpanIsCurrent() throws Exception {
    List<SpanContext> heard = new CopyOnWriteArrayList<>();
    TransportListener spy =
        new TransportListener() {
          @Override
          public void onReceived(Received event) {
            heard.add(Span.current().getSpanContext());
          }

          @Override
          public void onProcessed(Processed event) {
            heard.add(Span.current().getSpanContext());
          }
        };
    List<SpanContext> inHandler = new CopyOnWriteArrayList<>();

    deliver(engine(b -> b.addListener(spy)), m -> inHandler.add(Span.current().getSpanContext()));

    assertThat(heard).hasSize(2).containsOnly(inHandler.get(0));
    assertThat(OTEL.getSpans().get(0).getSpanContext()).isEqualTo(inHandler.get(0));
    assertThat(Span.current().getSpanContext().isValid()).as("nothing left current").isFalse();
  }
}
