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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.jspecify.annotations.Nullable;

/**
 * The generated extraction test every transport runs through its own header type: at least 10,000
 * random and mutated header sets, zero exceptions, the handler runs exactly once, and every result
 * is either the valid context the last {@code traceparent} names or a new root.
 *
 * @param <C> the transport's header type
 */
public abstract class HeaderCarrierContract<C> {

  static final SdkTracerProvider TRACER_PROVIDER =
      SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
  static final Baton BATON =
      Baton.builder(OpenTelemetrySdk.builder().setTracerProvider(TRACER_PROVIDER).build()).build();
  static final AtomicInteger RUNS = new AtomicInteger();

  /**
   * The headers as the transport carries them (values it cannot carry at all, such as CR/LF on
   * NATS, left out), or {@code null} for a message without headers.
   */
  protected abstract @Nullable C carrier(Map<String, List<String>> headers);

  /** The transport's wire. */
  protected abstract Wire<C> wire();

  private @Nullable MessagingEngine<C> engine;

  private MessagingEngine<C> engine() {
    if (engine == null) {
      engine = MessagingEngine.create(BATON, wire());
    }
    return engine;
  }

  @AfterContainer
  static void atLeastTenThousandRan() {
    assertThat(RUNS.get()).isGreaterThanOrEqualTo(10_000);
    assertThat(BATON.telemetryFailures()).isZero();
  }

  /**
   * The property, 10,000 tries. A fuzz run overrides it in a subclass with more tries (and a tag
   * that keeps it out of the default build) and calls this.
   */
  @Property(tries = 10_000)
  protected void extractionNeverThrowsAndYieldsAValidContextOrANewRoot(
      @ForAll("headerSets") Map<String, List<String>> headers) throws Exception {
    RUNS.incrementAndGet();
    C carrier = carrier(headers);
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<SpanData> seen = new AtomicReference<>();
    AtomicReference<Baggage> baggage = new AtomicReference<>();

    engine()
        .deliver(
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

  @Provide
  Arbitrary<Map<String, List<String>>> headerSets() {
    return HostileHeaders.headerSets();
  }
}
