package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.propagation.testing.MapHeaders;
import dev.baton.transport.OutboundMessage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
          return spanName -> new CountingBuilder();
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

  private final class CountingBuilder implements SpanBuilder {
    private Context parent = Context.current();

    @Override
    public SpanBuilder setParent(Context context) {
      parent = context;
      return this;
    }

    @Override
    public SpanBuilder setNoParent() {
      parent = Context.root();
      return this;
    }

    @Override
    public SpanBuilder addLink(SpanContext spanContext) {
      calls.add("builder.addLink");
      return this;
    }

    @Override
    public SpanBuilder addLink(SpanContext spanContext, Attributes attributes) {
      calls.add("builder.addLink");
      return this;
    }

    @Override
    public SpanBuilder setAttribute(String key, String value) {
      calls.add("builder.setAttribute " + key);
      return this;
    }

    @Override
    public SpanBuilder setAttribute(String key, long value) {
      calls.add("builder.setAttribute " + key);
      return this;
    }

    @Override
    public SpanBuilder setAttribute(String key, double value) {
      calls.add("builder.setAttribute " + key);
      return this;
    }

    @Override
    public SpanBuilder setAttribute(String key, boolean value) {
      calls.add("builder.setAttribute " + key);
      return this;
    }

    @Override
    public <T> SpanBuilder setAttribute(AttributeKey<T> key, T value) {
      calls.add("builder.setAttribute " + key);
      return this;
    }

    @Override
    public SpanBuilder setSpanKind(SpanKind spanKind) {
      return this;
    }

    @Override
    public SpanBuilder setStartTimestamp(long startTimestamp, TimeUnit unit) {
      return this;
    }

    @Override
    public Span startSpan() {
      SpanContext parentContext = Span.fromContext(parent).getSpanContext();
      String traceId =
          parentContext.isValid() ? parentContext.getTraceId() : "4bf92f3577b34da6a3ce929d0e0e4736";
      return new CountingSpan(
          SpanContext.create(
              traceId, "00f067aa0ba902b7", TraceFlags.getDefault(), TraceState.getDefault()));
    }
  }

  private final class CountingSpan implements Span {
    private final SpanContext context;

    CountingSpan(SpanContext context) {
      this.context = context;
    }

    @Override
    public <T> Span setAttribute(AttributeKey<T> key, T value) {
      calls.add("span.setAttribute " + key);
      return this;
    }

    @Override
    public Span addEvent(String name, Attributes attributes) {
      calls.add("span.addEvent " + name);
      return this;
    }

    @Override
    public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
      calls.add("span.addEvent " + name);
      return this;
    }

    @Override
    public Span addLink(SpanContext spanContext, Attributes attributes) {
      calls.add("span.addLink");
      return this;
    }

    @Override
    public Span setStatus(StatusCode statusCode, String description) {
      calls.add("span.setStatus");
      return this;
    }

    @Override
    public Span recordException(Throwable exception, Attributes additionalAttributes) {
      calls.add("span.recordException");
      return this;
    }

    @Override
    public Span updateName(String name) {
      calls.add("span.updateName");
      return this;
    }

    @Override
    public void end() {}

    @Override
    public void end(long timestamp, TimeUnit unit) {}

    @Override
    public void end(Instant timestamp) {}

    @Override
    public SpanContext getSpanContext() {
      return context;
    }

    @Override
    public boolean isRecording() {
      return false;
    }
  }
}
