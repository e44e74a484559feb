/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import java.util.concurrent.TimeUnit;

/**
 * The Java agent's CONSUMER span, taken on as Baton's own for one delivery (JavaAgent): Baton adds
 * its attributes, status and events; the agent, which started it, ends it.
 */
final class AdoptedSpan implements Span {

  private final Span agents;

  AdoptedSpan(Span agents) {
    this.agents = agents;
  }

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    agents.setAttribute(key, value);
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    agents.addEvent(name, attributes);
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    agents.addEvent(name, attributes, timestamp, unit);
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    agents.setStatus(statusCode, description);
    return this;
  }

  @Override
  public Span recordException(Throwable exception, Attributes additionalAttributes) {
    agents.recordException(exception, additionalAttributes);
    return this;
  }

  @Override
  public Span addLink(SpanContext spanContext, Attributes attributes) {
    agents.addLink(spanContext, attributes);
    return this;
  }

  @Override
  public Span updateName(String name) {
    return this; // the agent's name stays: it names the span by the same conventions
  }

  /** The agent ends its span when jnats' handler returns. */
  @Override
  public void end() {}

  @Override
  public void end(long timestamp, TimeUnit unit) {}

  @Override
  public SpanContext getSpanContext() {
    return agents.getSpanContext();
  }

  @Override
  public boolean isRecording() {
    return agents.isRecording();
  }
}
