package dev.baton.propagation;

import static dev.baton.transport.RejectionReason.BAGGAGE_LIMIT_EXCEEDED;
import static dev.baton.transport.RejectionReason.DUPLICATE_HEADER;
import static dev.baton.transport.RejectionReason.INVALID_BAGGAGE;
import static dev.baton.transport.RejectionReason.INVALID_BATON_HEADER;
import static dev.baton.transport.RejectionReason.INVALID_TRACEPARENT;
import static dev.baton.transport.RejectionReason.INVALID_TRACESTATE;
import static dev.baton.transport.RejectionReason.MISSING_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.testing.MapHeaders;
import dev.baton.propagation.testing.RecordingListener;
import dev.baton.transport.RejectionReason;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of malformed or hostile header: the handler always runs, never sees an exception, and
 * the rejection is reported. A bad traceparent starts a new root span; what the specifications let
 * a receiver keep (valid baggage, the last of duplicated headers) is kept.
 */
class BadInputTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN = "00f067aa0ba902b7";
  static final String VALID = "00-" + TRACE + "-" + SPAN + "-01";
  static final String TP = "traceparent";

  enum Expect {
    CONTINUE,
    NEW_ROOT
  }

  static Stream<Arguments> cases() {
    String bigBaggage =
        IntStream.range(0, 100)
            .mapToObj(i -> "k" + i + "=" + "v".repeat(100))
            .collect(Collectors.joining(","));
    String manyMembers =
        IntStream.range(0, 80).mapToObj(i -> "m" + i + "=x").collect(Collectors.joining(","));
    return Stream.of(
        row("no headers at all", null, Expect.NEW_ROOT, Set.of(MISSING_CONTEXT)),
        row("empty headers", MapHeaders.of(), Expect.NEW_ROOT, Set.of(MISSING_CONTEXT)),
        row(
            "only application headers",
            MapHeaders.of("x-app", "1"),
            Expect.NEW_ROOT,
            Set.of(MISSING_CONTEXT)),
        row("valid", MapHeaders.of(TP, VALID), Expect.CONTINUE, Set.of()),
        row(
            "version ff",
            MapHeaders.of(TP, "ff" + VALID.substring(2)),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "version not hex",
            MapHeaders.of(TP, "zz" + VALID.substring(2)),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "future version with more fields is read as 00",
            MapHeaders.of(TP, "cc" + VALID.substring(2) + "-what-the-future-holds"),
            Expect.CONTINUE,
            Set.of()),
        row(
            "future version, longer without a dash",
            MapHeaders.of(TP, "cc" + VALID.substring(2) + "x"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "version 00 with extra fields",
            MapHeaders.of(TP, VALID + "-01"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "all-zero trace id",
            MapHeaders.of(TP, "00-" + "0".repeat(32) + "-" + SPAN + "-01"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "all-zero span id",
            MapHeaders.of(TP, "00-" + TRACE + "-" + "0".repeat(16) + "-01"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "short trace id",
            MapHeaders.of(TP, "00-" + TRACE.substring(1) + "-" + SPAN + "-01"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "long span id",
            MapHeaders.of(TP, "00-" + TRACE + "-" + SPAN + "a-01"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "upper-case hex",
            MapHeaders.of(TP, VALID.toUpperCase()),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "non-hex digit",
            MapHeaders.of(TP, VALID.replace('a', 'g')),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "wrong separators",
            MapHeaders.of(TP, VALID.replace('-', '_')),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "CR LF injected",
            MapHeaders.of(TP, VALID.substring(0, 20) + "\r\n" + VALID.substring(22)),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "trailing CR LF",
            MapHeaders.of(TP, VALID + "\r\n"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "empty traceparent",
            MapHeaders.of(TP, ""),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "1 MiB traceparent",
            MapHeaders.of(TP, "0".repeat(1 << 20)),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "unknown flags are kept as sampled",
            MapHeaders.of(TP, VALID.substring(0, 53) + "ff"),
            Expect.CONTINUE,
            Set.of()),
        row(
            "duplicated traceparent: the last wins",
            MapHeaders.of(TP, "00-" + "1".repeat(32) + "-" + SPAN + "-01", TP, VALID),
            Expect.CONTINUE,
            Set.of(DUPLICATE_HEADER)),
        row(
            "duplicated traceparent, last invalid",
            MapHeaders.of(TP, VALID, TP, "garbage"),
            Expect.NEW_ROOT,
            Set.of(DUPLICATE_HEADER, INVALID_TRACEPARENT)),
        row(
            "invalid tracestate dropped, trace kept",
            MapHeaders.of(TP, VALID, "tracestate", "UPPER=1,bad key=2"),
            Expect.CONTINUE,
            Set.of(INVALID_TRACESTATE)),
        row(
            "tracestate with control character",
            MapHeaders.of(TP, VALID, "tracestate", "vendor=a\u0001b"),
            Expect.CONTINUE,
            Set.of(INVALID_TRACESTATE)),
        row(
            "baggage with control character",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=a\u0007b"),
            Expect.CONTINUE,
            Set.of(INVALID_BAGGAGE)),
        row(
            "baggage with CR LF",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=a\r\nX-Evil: 1"),
            Expect.CONTINUE,
            Set.of(INVALID_BAGGAGE)),
        row(
            "badly percent-encoded baggage",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=%zz"),
            Expect.CONTINUE,
            Set.of(INVALID_BAGGAGE)),
        row(
            "baggage that is not UTF-8",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=%ff%fe"),
            Expect.CONTINUE,
            Set.of(INVALID_BAGGAGE)),
        row(
            "baggage without a key",
            MapHeaders.of(TP, VALID, "baggage", "good=1,=value"),
            Expect.CONTINUE,
            Set.of(INVALID_BAGGAGE)),
        row(
            "oversized baggage",
            MapHeaders.of(TP, VALID, "baggage", bigBaggage),
            Expect.CONTINUE,
            Set.of(BAGGAGE_LIMIT_EXCEEDED)),
        row(
            "more than 64 baggage members",
            MapHeaders.of(TP, VALID, "baggage", manyMembers),
            Expect.CONTINUE,
            Set.of(BAGGAGE_LIMIT_EXCEEDED)),
        row(
            "duplicated baggage: the last wins",
            MapHeaders.of(TP, VALID, "baggage", "old=1", "baggage", "good=1"),
            Expect.CONTINUE,
            Set.of(DUPLICATE_HEADER)),
        row(
            "invalid traceparent keeps valid baggage",
            MapHeaders.of(TP, "nope", "baggage", "good=1"),
            Expect.NEW_ROOT,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "bad hop count",
            MapHeaders.of(TP, VALID, "baton-hops", "-3"),
            Expect.CONTINUE,
            Set.of(INVALID_BATON_HEADER)),
        row(
            "bad sent-at stamp",
            MapHeaders.of(TP, VALID, "baton-sent-at", "yesterday"),
            Expect.CONTINUE,
            Set.of(INVALID_BATON_HEADER)),
        row(
            "agent name with control characters",
            MapHeaders.of(TP, VALID, "baton-agent", "evil\u0000agent"),
            Expect.CONTINUE,
            Set.of(INVALID_BATON_HEADER)));
  }

  static Arguments row(
      String name, Map<String, List<String>> headers, Expect expect, Set<RejectionReason> reasons) {
    return Arguments.of(name, headers, expect, reasons);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputNeverReachesTheHandlerAsAnException(
      String name, Map<String, List<String>> headers, Expect expect, Set<RejectionReason> reasons)
      throws Exception {
    RecordingListener listener = new RecordingListener();
    Baton baton = Baton.builder(OTEL.getOpenTelemetry()).addListener(listener).build();
    MessagingEngine engine = baton.engine("test");
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<SpanData> current = new AtomicReference<>();
    AtomicReference<Baggage> baggage = new AtomicReference<>();

    engine.deliver(
        Delivery.of("orders", "", null, new byte[] {1}),
        headers,
        MapHeaders.GETTER,
        m -> {
          calls.incrementAndGet();
          current.set(((ReadableSpan) Span.current()).toSpanData());
          baggage.set(Baggage.current());
        },
        Settler.none());

    assertThat(calls).hasValue(1);
    SpanData span = current.get();
    if (expect == Expect.CONTINUE) {
      assertThat(span.getParentSpanContext().isValid()).isTrue();
      assertThat(span.getTraceId()).isEqualTo(TRACE);
      assertThat(span.getParentSpanId()).isEqualTo(SPAN);
    } else {
      assertThat(span.getParentSpanContext().isValid()).isFalse();
      assertThat(span.getLinks()).isEmpty();
    }
    assertThat(Set.copyOf(listener.inboundReasons())).isEqualTo(reasons);
    if (headers != null
        && headers.getOrDefault("baggage", List.of()).stream()
            .anyMatch(v -> v.contains("good=1"))) {
      assertThat(baggage.get().getEntryValue("good")).as("valid baggage is kept").isEqualTo("1");
      assertThat(baggage.get().size()).isLessThanOrEqualTo(64);
    }
    assertThat(baton.telemetryFailures()).isZero();
  }
}
