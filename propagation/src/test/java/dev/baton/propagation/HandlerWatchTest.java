/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.Outcome;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's handler watch: a message its broker holds for a while is extended while the handler
 * runs, given up past the maximum handler time (then neither acked nor naked), and a message its
 * broker does not hold is left alone.
 */
class HandlerWatchTest {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .build();
  private final RecordingListener listener = new RecordingListener();

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  /** A broker's settlement as the engine drives it, each call in order. */
  private static final class Held implements Settler {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    private final long holdNanos;

    Held(Duration hold) {
      this.holdNanos = hold.toNanos();
    }

    @Override
    public void ack() {
      calls.add("ack");
    }

    @Override
    public void nak() {
      calls.add("nak");
      threads.add(Thread.currentThread().getName());
    }

    @Override
    public long holdNanos() {
      return holdNanos;
    }

    @Override
    public void extend() {
      calls.add("extend");
      threads.add(Thread.currentThread().getName());
    }

    long count(String call) {
      return calls.stream().filter(call::equals).count();
    }
  }

  /** Polls {@code condition} until it holds, for up to 20 s. */
  private static void until(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("the condition within 20 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private MessagingEngine<Map<String, List<String>>> engine(Duration maxHandlerTime) {
    return MessagingEngine.create(
        Baton.builder(sdk)
            .setAgentName("worker")
            .addListener(listener)
            .setMaxHandlerTime(maxHandlerTime)
            .build(),
        MapHeaders.WIRE);
  }

  @Test
  void aRunningHandlersMessageIsExtendedEveryThirdOfItsHoldThenAckedOnce() throws Exception {
    Held held = new Held(Duration.ofMillis(900));
    engine(Duration.ofMinutes(1))
        .deliver(
            Delivery.of("jobs", "", new byte[1]),
            Map.of(),
            m -> until(() -> held.count("extend") >= 3),
            held);

    assertThat(held.calls).last().isEqualTo("ack");
    assertThat(held.count("ack")).isEqualTo(1);
    assertThat(held.count("nak")).isZero();
    assertThat(held.threads).allMatch(t -> t.startsWith("baton-handler-watch-"));
    // No extension after the ack: the handler's end stops the watch for it.
    long extensions = held.count("extend");
    long quiet = System.nanoTime() + Duration.ofMillis(700).toNanos();
    while (System.nanoTime() < quiet) {
      assertThat(held.count("extend")).as("extensions after the ack").isEqualTo(extensions);
      Thread.sleep(20);
    }
    assertThat(listener.processed)
        .singleElement()
        .satisfies(p -> assertThat(p.outcome()).isEqualTo(Outcome.ACK));
  }

  @Test
  void pastTheMaximumHandlerTimeTheMessageIsGivenUpWhileTheHandlerRuns() throws Exception {
    Held held = new Held(Duration.ofSeconds(30));
    CountDownLatch givenUp = new CountDownLatch(1);
    engine(Duration.ofSeconds(1))
        .deliver(
            Delivery.of("jobs", "", new byte[1]),
            Map.of(),
            m -> {
              until(() -> held.count("nak") == 1);
              givenUp.countDown();
            },
            held);

    assertThat(givenUp.await(0, TimeUnit.SECONDS)).isTrue();
    assertThat(held.calls).containsExactly("nak"); // the give-up; no ack after it
    assertThat(listener.processed)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.outcome()).isEqualTo(Outcome.ABANDONED);
              assertThat(p.errorType()).isEqualTo("baton.handler_timeout");
            });
    assertThat(exporter.getFinishedSpanItems())
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.getAttributes().get(AttributeKey.stringKey("error.type")))
                    .isEqualTo("baton.handler_timeout"));
  }

  @Test
  void aMessageItsBrokerDoesNotHoldIsNotWatched() throws Exception {
    Held held = new Held(Duration.ZERO);
    engine(Duration.ofSeconds(1))
        .deliver(
            Delivery.of("jobs", "", new byte[1]),
            Map.of(),
            m -> Thread.sleep(1_500), // past the maximum: nothing to give up on this broker
            held);

    assertThat(held.calls).containsExactly("ack");
    assertThat(listener.processed)
        .singleElement()
        .satisfies(p -> assertThat(p.outcome()).isEqualTo(Outcome.ACK));
  }
}
