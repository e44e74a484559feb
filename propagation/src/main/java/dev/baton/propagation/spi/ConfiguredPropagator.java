/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.BatonHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TextMapPropagator} configured on the agent's {@code OpenTelemetry} instance, for the
 * fields it writes beyond W3C's (B3, Jaeger, ...): Baton writes and reads {@code traceparent},
 * {@code tracestate} and {@code baggage} itself, so this adapter hides those three from the
 * propagator in both directions. It carries the trace context only: baggage leaves the process in
 * the W3C {@code baggage} header alone, under the agent's baggage policy. Stateless; thread-safe.
 */
final class ConfiguredPropagator<H> {

  private static final Set<String> W3C =
      Set.of(BatonHeaders.TRACEPARENT, BatonHeaders.TRACESTATE, BatonHeaders.BAGGAGE);

  private final TextMapPropagator propagator;
  private final TextMapSetter<H> setter;
  private final TextMapGetter<H> getter;

  private ConfiguredPropagator(TextMapPropagator propagator, Wire<H> wire) {
    this.propagator = propagator;
    this.setter =
        (carrier, key, value) -> {
          if (carrier != null && !isW3c(key)) {
            wire.set(carrier, key, value);
          }
        };
    this.getter =
        new TextMapGetter<>() {
          @Override
          public Iterable<String> keys(H carrier) {
            List<String> keys = new ArrayList<>();
            for (String key : wire.keys(carrier)) {
              if (!isW3c(key)) {
                keys.add(key);
              }
            }
            return keys;
          }

          @Override
          public @Nullable String get(@Nullable H carrier, String key) {
            if (carrier == null || isW3c(key)) {
              return null;
            }
            String value = wire.last(carrier, key);
            if (value == null) {
              // Header names are case-sensitive on both brokers; senders spell B3's differently.
              for (String present : wire.keys(carrier)) {
                if (present.equalsIgnoreCase(key)) {
                  return wire.last(carrier, present);
                }
              }
            }
            return value;
          }
        };
  }

  /**
   * The adapter for {@code propagator} on {@code wire}, or {@code null} when it writes no field
   * beyond W3C's (the no-op default, or W3C alone): then nothing on the message path changes.
   */
  static <H> @Nullable ConfiguredPropagator<H> of(TextMapPropagator propagator, Wire<H> wire) {
    for (String field : propagator.fields()) {
      if (!isW3c(field)) {
        return new ConfiguredPropagator<>(propagator, wire);
      }
    }
    return null;
  }

  private static boolean isW3c(String key) {
    for (String w3c : W3C) {
      if (w3c.equalsIgnoreCase(key)) {
        return true;
      }
    }
    return false;
  }

  /** Writes the propagator's own fields for {@code span} into {@code headers}. */
  void inject(H headers, Span span) {
    if (span.getSpanContext().isValid()) {
      propagator.inject(Context.root().with(span), headers, setter);
    }
  }

  /** The span context the propagator reads from {@code headers}, or {@code null}. */
  @Nullable SpanContext extract(@Nullable H headers) {
    if (headers == null) {
      return null;
    }
    SpanContext read =
        Span.fromContext(propagator.extract(Context.root(), headers, getter)).getSpanContext();
    return read.isValid() ? read : null;
  }
}
