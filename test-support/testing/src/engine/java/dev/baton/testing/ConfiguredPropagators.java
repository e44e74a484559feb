/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * For tests of the propagator a user configures on the {@code OpenTelemetry} instance (B3 here):
 * the same tracer provider with other propagators, and a propagator's headers written and read the
 * way an outside client would.
 */
public final class ConfiguredPropagators {

  /** B3's one {@code b3} header. */
  public static final TextMapPropagator B3_SINGLE = B3Propagator.injectingSingleHeader();

  /** B3's {@code X-B3-TraceId}, {@code X-B3-SpanId}, {@code X-B3-Sampled} headers. */
  public static final TextMapPropagator B3_MULTI = B3Propagator.injectingMultiHeaders();

  private static final TextMapGetter<Map<String, List<String>>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, List<String>> carrier) {
          return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, List<String>> carrier, String key) {
          if (carrier == null) {
            return null;
          }
          for (Map.Entry<String, List<String>> e : carrier.entrySet()) {
            if (e.getKey().equalsIgnoreCase(key) && !e.getValue().isEmpty()) {
              return e.getValue().get(e.getValue().size() - 1);
            }
          }
          return null;
        }
      };

  private ConfiguredPropagators() {}

  /**
   * {@return {@code base}'s tracers with {@code propagator} as its configured propagator}
   *
   * @param base the OpenTelemetry whose tracers to use
   * @param propagator the propagator to configure
   */
  public static OpenTelemetry with(OpenTelemetry base, TextMapPropagator propagator) {
    ContextPropagators propagators = ContextPropagators.create(propagator);
    return new OpenTelemetry() {
      @Override
      public TracerProvider getTracerProvider() {
        return base.getTracerProvider();
      }

      @Override
      public ContextPropagators getPropagators() {
        return propagators;
      }
    };
  }

  /**
   * {@return a sampled remote span context with these ids}
   *
   * @param traceId the trace id, 32 hex digits
   * @param spanId the span id, 16 hex digits
   */
  public static SpanContext remote(String traceId, String spanId) {
    return SpanContext.createFromRemoteParent(
        traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
  }

  /**
   * {@return the headers {@code propagator} writes for {@code context}, as an outside client sends
   * them}
   *
   * @param propagator the outside client's propagator
   * @param context the span context to write
   */
  public static Map<String, List<String>> headers(
      TextMapPropagator propagator, SpanContext context) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    propagator.inject(
        Context.root().with(Span.wrap(context)),
        headers,
        (carrier, key, value) -> carrier.put(key, List.of(value)));
    return headers;
  }

  /**
   * {@return the span context {@code propagator} reads from {@code headers} (names matched in any
   * case)}
   *
   * @param propagator the propagator to read with
   * @param headers the headers, several values per name allowed
   */
  public static SpanContext read(TextMapPropagator propagator, Map<String, List<String>> headers) {
    return Span.fromContext(propagator.extract(Context.root(), headers, MAP_GETTER))
        .getSpanContext();
  }
}
