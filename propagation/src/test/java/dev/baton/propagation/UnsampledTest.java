/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.transport.OutboundMessage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A message whose spans are not recorded still carries its context, and Baton builds nothing for
 * those spans: no attribute, link or event reaches the span builder or the span.
 */
class UnsampledTest {

  private final List<String> calls = new ArrayList<>();
  private final Baton baton = Baton.builder(new CountingOpenTelemetry()).setAgentName("a").build();
  private final MessagingEngine<Map<String, List<String>>> engine =
      MessagingEngine.create(baton, MapHeaders.WIRE);

  @Test
  void anUnsampledSendCarriesTheContextAndBuildsNothingForItsSpan() throws Exception {
    Send<Map<String, List<String>>> send;
    try (Scope ignored = Baggage.builder().put("task", "t-1").build().makeCurrent()) {
      send = engine.startSend(OutboundMessage.of("orders", new byte[10]), SendOptions.PUBLISH);
      send.end(null);
    }

    Map<String, List<String>> headers = send.headers();
    assertThat(headers.get("traceparent").get(0)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
    assertThat(headers.get("baggage")).containsExactly("task=t-1");
    assertThat(headers.get("baton").get(0)).matches("1;\\d{16};[0-9a-f]{32};a");
    assertThat(calls).as("span builder and span calls beyond name, kind and parent").isEmpty();
    AtomicReference<Baggage> seen = new AtomicReference<>();

    engine.deliver(
        Delivery.of("orders", "g", new byte[10]),
        headers,
        m -> seen.set(Baggage.current()),
        Settler.none());

    assertThat(seen.get().getEntryValue("task")).isEqualTo("t-1");
    assertThat(calls).isEmpty();
    assertThat(baton.telemetryFailures()).isZero();
  }

  /** A tracer whose spans are never recorded and that logs every attribute, link and event. */
  private final class CountingOpenTelemetry implements OpenTelemetry {
    @Override
    public TracerProvider getTracerProvider() {
      return new TracerProvider() {
        @Override
        public Tracer get(String name) {
          return spanName -> builder();
        }

        @Override
        public Tracer get(String name, String version) {
          return get(name);
        }
      };
    }

    @Override
    public ContextPropagators getPropagators() {
      return ContextPropagators.noop();
    }
  }

  /** Name, kind, parent and start time are free; any other builder call is logged. */
  private SpanBuilder builder() {
    AtomicReference<Context> parent = new AtomicReference<>(Context.current());
    return (SpanBuilder)
        Proxy.newProxyInstance(
            SpanBuilder.class.getClassLoader(),
            new Class<?>[] {SpanBuilder.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "setParent" -> parent.set((Context) args[0]);
                case "setNoParent" -> parent.set(Context.root());
                case "startSpan" -> {
                  return span(parent.get());
                }
                case "setSpanKind", "setStartTimestamp" -> {}
                default -> calls.add("builder." + method.getName());
              }
              return proxy;
            });
  }

  /** A span that is not recording; ending it is free, any other call is logged. */
  private Span span(Context parent) {
    SpanContext parentContext = Span.fromContext(parent).getSpanContext();
    SpanContext context =
        SpanContext.create(
            parentContext.isValid()
                ? parentContext.getTraceId()
                : "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getDefault(),
            TraceState.getDefault());
    return (Span)
        Proxy.newProxyInstance(
            Span.class.getClassLoader(),
            new Class<?>[] {Span.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getSpanContext" -> {
                  return context;
                }
                case "isRecording" -> {
                  return false;
                }
                case "storeInContext", "makeCurrent" -> {
                  return InvocationHandler.invokeDefault(proxy, method, args);
                }
                case "end" -> {
                  return null;
                }
                default -> {
                  calls.add("span." + method.getName());
                  return method.getReturnType().isInstance(proxy) ? proxy : null;
                }
              }
            });
  }
}
