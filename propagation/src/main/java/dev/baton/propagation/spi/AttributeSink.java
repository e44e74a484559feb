/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;

/**
 * Where a span's attributes and links go: the builder, when the span will very likely be recorded
 * (its parent is sampled), so the sampler sees them and the SDK takes no lock per attribute; or the
 * started span, only when it is recording, so nothing is built for a span nobody records.
 */
abstract class AttributeSink {

  abstract <T> void put(AttributeKey<T> key, T value);

  abstract void putAll(Attributes attributes);

  static AttributeSink of(SpanBuilder builder) {
    return new AttributeSink() {
      @Override
      <T> void put(AttributeKey<T> key, T value) {
        builder.setAttribute(key, value);
      }

      @Override
      void putAll(Attributes attributes) {
        builder.setAllAttributes(attributes);
      }
    };
  }

  static AttributeSink of(Span span) {
    return new AttributeSink() {
      @Override
      <T> void put(AttributeKey<T> key, T value) {
        span.setAttribute(key, value);
      }

      @Override
      void putAll(Attributes attributes) {
        span.setAllAttributes(attributes);
      }
    };
  }
}
