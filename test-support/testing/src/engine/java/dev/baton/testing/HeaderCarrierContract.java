/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.Baton;
import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Settler;
import dev.baton.propagation.spi.Wire;
import dev.baton.transport.Message;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The generated extraction test every transport runs through its own header type: {@link #tries()}
 * random and mutated header sets (10,000 by default), zero exceptions, the handler runs exactly
 * once, and every result is either the valid context the last {@code traceparent} names or a new
 * root.
 *
 * <p>Plain JUnit 5 over {@link HostileHeaders#headerSet}: try {@code i} of a run with seed {@code
 * s} draws its headers from {@code new SplittableRandom(s + i)}. The seed is random unless the
 * system property {@value #SEED} sets it, and a failure names the seed that replays the whole run
 * and the one that replays the failing set alone ({@code -D}{@value #SEED}{@code =... -D}{@value
 * #TRIES}{@code =1}).
 *
 * @param <C> the transport's header type
 */
public abstract class HeaderCarrierContract<C> {

  /** The system property that fixes the seed, to replay a run. */
  public static final String SEED = "baton.headers.seed";

  /** The system property that overrides the number of tries. */
  public static final String TRIES = "baton.headers.tries";

  static final SdkTracerProvider TRACER_PROVIDER =
      SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
  static final Baton BATON =
      Baton.builder(OpenTelemetrySdk.builder().setTracerProvider(TRACER_PROVIDER).build()).build();

  /**
   * {@return the headers as the transport carries them (values it cannot carry at all, such as
   * CR/LF on NATS, left out), or {@code null} for a message without headers}
   *
   * @param headers the headers, several values per name allowed
   */
  protected abstract @Nullable C carrier(Map<String, List<String>> headers);

  /** {@return the transport's wire} */
  protected abstract Wire<C> wire();

  /** {@return how many header sets to try: 10,000 unless {@value #TRIES} says otherwise} */
  protected int tries() {
    return Integer.getInteger(TRIES, 10_000);
  }

  /** Extraction never throws and yields a valid context or a new root. */
  @Test
  public void extractionNeverThrowsAndYieldsAValidContextOrANewRoot() {
    String fixed = System.getProperty(SEED);
    long seed = fixed != null ? Long.parseLong(fixed.trim()) : new SplittableRandom().nextLong();
    int tries = tries();
    MessagingEngine<C> engine = MessagingEngine.create(BATON, wire());
    long failuresBefore = BATON.telemetryFailures();
    for (int i = 0; i < tries; i++) {
      Map<String, List<String>> headers = HostileHeaders.headerSet(new SplittableRandom(seed + i));
      try {
        extractOnce(engine, headers);
      } catch (Throwable e) {
        throw new AssertionError(
            "header set "
                + i
                + " of "
                + tries
                + " failed: "
                + printable(headers)
                + "\nreplay the run: -D"
                + SEED
                + "="
                + seed
                + "; this set alone: -D"
                + SEED
                + "="
                + (seed + i)
                + " -D"
                + TRIES
                + "=1",
            e);
      }
    }
    assertThat(BATON.telemetryFailures() - failuresBefore)
        .as("Baton's own failures (seed %d)", seed)
        .isZero();
  }

  private void extractOnce(MessagingEngine<C> engine, Map<String, List<String>> headers)
      throws Exception {
    C carrier = carrier(headers);
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<SpanData> seen = new AtomicReference<>();
    AtomicReference<Baggage> baggage = new AtomicReference<>();

    engine.deliver(
        Delivery.of("fuzz", "", new byte[0]),
        carrier,
        (Message m) -> {
          calls.incrementAndGet();
          seen.set(((ReadableSpan) Span.current()).toSpanData());
          baggage.set(Baggage.current());
        },
        Settler.none());

    assertThat(calls).hasValue(1);
    SpanData span = seen.get();
    List<String> parents = carrier == null ? List.of() : wire().getAll(carrier, "traceparent");
    SpanContext expected =
        parents.isEmpty()
            ? null
            : TraceParent.parse(parents.get(parents.size() - 1), TraceState.getDefault());
    if (expected == null) {
      assertThat(span.getParentSpanContext().isValid()).isFalse();
    } else {
      assertThat(span.getParentSpanContext().getTraceId()).isEqualTo(expected.getTraceId());
      assertThat(span.getParentSpanContext().getSpanId()).isEqualTo(expected.getSpanId());
      assertThat(span.getParentSpanContext().isRemote()).isTrue();
    }
    assertThat(baggage.get().size()).isLessThanOrEqualTo(64);
  }

  /** The header set with every character outside printable ASCII as a \\uXXXX escape. */
  private static String printable(Map<String, List<String>> headers) {
    StringBuilder out = new StringBuilder();
    for (char c : headers.toString().toCharArray()) {
      if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }
}
