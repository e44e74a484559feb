package dev.baton.propagation;

import dev.baton.propagation.internal.BaggageCodec;
import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.internal.TraceStates;
import dev.baton.transport.RejectionReason;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The context a received message carried, after every check. Never throws while reading: bad input
 * becomes a rejection reason and an empty part.
 */
record Inbound(
    @Nullable SpanContext sender,
    Baggage baggage,
    int hops,
    long sentAtMicros,
    @Nullable String senderName,
    @Nullable String senderId,
    Map<String, String> headers,
    Set<RejectionReason> rejections) {

  static final int MAX_HOPS = 1_000_000;

  static <C> Inbound read(@Nullable C carrier, HeaderGetter<C> getter) {
    Set<RejectionReason> rejections = EnumSet.noneOf(RejectionReason.class);
    Map<String, String> headers = new LinkedHashMap<>();
    if (carrier != null) {
      for (String key : getter.keys(carrier)) {
        List<String> values = getter.getAll(carrier, key);
        if (!values.isEmpty()) {
          headers.put(key, values.get(values.size() - 1));
        }
      }
    }
    String traceparent = last(carrier, getter, BatonHeaders.TRACEPARENT, rejections);
    SpanContext sender = null;
    if (traceparent == null) {
      rejections.add(RejectionReason.MISSING_CONTEXT);
    } else {
      String tracestate = last(carrier, getter, BatonHeaders.TRACESTATE, rejections);
      TraceState state = TraceStates.parse(tracestate);
      boolean badState = state == null;
      sender = TraceParent.parse(traceparent, badState ? TraceState.getDefault() : state);
      if (sender == null) {
        rejections.add(RejectionReason.INVALID_TRACEPARENT);
      } else if (badState) {
        rejections.add(RejectionReason.INVALID_TRACESTATE);
      }
    }

    Baggage baggage = Baggage.empty();
    String baggageHeader = last(carrier, getter, BatonHeaders.BAGGAGE, rejections);
    if (baggageHeader != null) {
      BaggageCodec.Parsed parsed = BaggageCodec.parse(baggageHeader);
      baggage = parsed.baggage();
      if (parsed.invalidMembers()) {
        rejections.add(RejectionReason.INVALID_BAGGAGE);
      }
      if (parsed.overLimit()) {
        rejections.add(RejectionReason.BAGGAGE_LIMIT_EXCEEDED);
      }
    }

    int hops = 0;
    String hopsHeader = last(carrier, getter, BatonHeaders.HOPS, rejections);
    if (hopsHeader != null) {
      long parsed = parseDecimal(hopsHeader, 7);
      if (parsed < 1 || parsed > MAX_HOPS) {
        rejections.add(RejectionReason.INVALID_BATON_HEADER);
      } else {
        hops = (int) parsed;
      }
    }
    long sentAt = -1;
    String sentAtHeader = last(carrier, getter, BatonHeaders.SENT_AT, rejections);
    if (sentAtHeader != null) {
      sentAt = parseDecimal(sentAtHeader, 18);
      if (sentAt < 0) {
        rejections.add(RejectionReason.INVALID_BATON_HEADER);
      }
    }
    String senderName = identity(last(carrier, getter, BatonHeaders.AGENT, rejections), rejections);
    String senderId =
        identity(last(carrier, getter, BatonHeaders.AGENT_ID, rejections), rejections);
    return new Inbound(sender, baggage, hops, sentAt, senderName, senderId, headers, rejections);
  }

  private static <C> @Nullable String last(
      @Nullable C carrier, HeaderGetter<C> getter, String key, Set<RejectionReason> rejections) {
    if (carrier == null) {
      return null;
    }
    List<String> values = getter.getAll(carrier, key);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      rejections.add(RejectionReason.DUPLICATE_HEADER);
    }
    return values.get(values.size() - 1);
  }

  private static @Nullable String identity(
      @Nullable String value, Set<RejectionReason> rejections) {
    if (value == null) {
      return null;
    }
    if (!MessagingEngine.isIdentity(value)) {
      rejections.add(RejectionReason.INVALID_BATON_HEADER);
      return null;
    }
    return value;
  }

  /** A non-negative decimal of at most {@code maxDigits} digits, or -1. */
  private static long parseDecimal(String s, int maxDigits) {
    if (s.isEmpty() || s.length() > maxDigits) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
