package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.testing.MapHeaders;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Throws random and mutated header sets at extraction: zero exceptions, the handler runs exactly
 * once, and every result is either the valid context the last {@code traceparent} names or a new
 * root.
 */
class HostileHeadersPropertyTest {

  static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  static final String[] NAMES = {
    "traceparent",
    "tracestate",
    "baggage",
    "baton-hops",
    "baton-sent-at",
    "baton-agent",
    "baton-agent-id",
    "Traceparent",
    "x-other"
  };

  static final SdkTracerProvider TRACER_PROVIDER =
      SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
  static final Baton BATON =
      Baton.builder(OpenTelemetrySdk.builder().setTracerProvider(TRACER_PROVIDER).build()).build();
  static final MessagingEngine ENGINE = BATON.engine("fuzz");
  static final AtomicInteger RUNS = new AtomicInteger();

  @AfterContainer
  static void atLeastTenThousandRan() {
    assertThat(RUNS.get()).isGreaterThanOrEqualTo(10_000);
    assertThat(BATON.telemetryFailures()).isZero();
    TRACER_PROVIDER.close();
  }

  @Property(tries = 10_000)
  void extractionNeverThrowsAndYieldsAValidContextOrANewRoot(
      @ForAll("headerSets") Map<String, List<String>> headers) throws Exception {
    RUNS.incrementAndGet();
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<SpanData> seen = new AtomicReference<>();
    AtomicReference<Baggage> baggage = new AtomicReference<>();

    ENGINE.deliver(
        Delivery.of("fuzz", "", null, new byte[0]),
        headers,
        MapHeaders.GETTER,
        (Message m) -> {
          calls.incrementAndGet();
          seen.set(((ReadableSpan) Span.current()).toSpanData());
          baggage.set(Baggage.current());
        },
        Settler.none());

    assertThat(calls).hasValue(1);
    SpanData span = seen.get();
    List<String> parents = headers.getOrDefault("traceparent", List.of());
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
    Arbitrary<String> name = Arbitraries.of(NAMES);
    Arbitrary<String> value = Arbitraries.oneOf(mutatedTraceparent(), baggageish(), noise());
    Arbitrary<List<String>> values = value.list().ofMinSize(1).ofMaxSize(3);
    return Combinators.combine(name.list().ofMaxSize(6), values.list().ofSize(6))
        .as(
            (names, valueLists) -> {
              Map<String, List<String>> map = new LinkedHashMap<>();
              for (int i = 0; i < names.size(); i++) {
                map.computeIfAbsent(names.get(i), k -> new ArrayList<>()).addAll(valueLists.get(i));
              }
              return map;
            });
  }

  private static Arbitrary<String> noise() {
    return Arbitraries.strings().all().ofMaxLength(120);
  }

  private static Arbitrary<String> baggageish() {
    Arbitrary<String> key =
        Arbitraries.strings().withChars("abcXYZ09-_%=;, \t\r\n\u0000é").ofMaxLength(8);
    Arbitrary<String> val =
        Arbitraries.strings().withChars("abc%2F0Ef=;,\"\\ \u0007é").ofMaxLength(12);
    return Combinators.combine(key, val)
        .as((k, v) -> k + "=" + v)
        .list()
        .ofMaxSize(70)
        .map(list -> String.join(",", list));
  }

  private static Arbitrary<String> mutatedTraceparent() {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID.length() - 1);
    Arbitrary<Character> replacement =
        Arbitraries.chars().with("0123456789abcdefABCDEFgz-_ \r\n\u0000");
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 5);
    return Combinators.combine(kind, position, replacement)
        .as(
            (k, p, c) ->
                switch (k) {
                  case 0 -> VALID;
                  case 1 -> VALID.substring(0, p) + c + VALID.substring(p + 1);
                  case 2 -> VALID.substring(0, p) + VALID.substring(p + 1);
                  case 3 -> VALID.substring(0, p) + c + VALID.substring(p);
                  case 4 -> VALID.substring(0, p);
                  default -> c + "" + c + VALID.substring(2) + (p % 2 == 0 ? "" : "-" + c);
                });
  }
}
