/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Not API: a sender's span context as a received {@code traceparent} carried it, its ids held as
 * numbers.
 *
 * <p>OpenTelemetry's own {@link SpanContext#createFromRemoteParent} takes the ids as two strings
 * (128 B on every message), which an unsampled hop never reads: the SDK drops its span, and an
 * onward send writes the ids from the numbers ({@link TraceParent#formatBytes}). The strings are
 * made when asked for (a sampled child's trace id, an exporter reading the parent's span id), each
 * time: nothing here is cached, so the object is immutable as {@link SpanContext} requires.
 * Equality is by value among contexts of this class, as OpenTelemetry's own implementation's is
 * among its own.
 *
 * <p>It is also the non-recording {@link Span} that carries it into the handler's context, as
 * {@link Span#wrap} would (a second object on every message): every operation does nothing, as on
 * OpenTelemetry's propagated span. (Under the OpenTelemetry Java agent the engine wraps it with
 * {@link Span#wrap} instead: the agent's context bridges only spans it knows.)
 */
public final class RemoteSpanContext implements SpanContext, Span {

  private final long traceIdHigh;
  private final long traceIdLow;
  private final long spanId;
  private final TraceFlags traceFlags;
  private final TraceState traceState;

  /** Ids already checked: the trace id's halves not both zero, the span id not zero. */
  RemoteSpanContext(
      long traceIdHigh, long traceIdLow, long spanId, TraceFlags traceFlags, TraceState state) {
    this.traceIdHigh = traceIdHigh;
    this.traceIdLow = traceIdLow;
    this.spanId = spanId;
    this.traceFlags = traceFlags;
    this.traceState = state;
  }

  @Override
  public String getTraceId() {
    return TraceId.fromLongs(traceIdHigh, traceIdLow);
  }

  @Override
  public byte[] getTraceIdBytes() {
    byte[] bytes = new byte[16];
    putLong(bytes, 0, traceIdHigh);
    putLong(bytes, 8, traceIdLow);
    return bytes;
  }

  @Override
  public String getSpanId() {
    return SpanId.fromLong(spanId);
  }

  @Override
  public byte[] getSpanIdBytes() {
    byte[] bytes = new byte[8];
    putLong(bytes, 0, spanId);
    return bytes;
  }

  @Override
  public TraceFlags getTraceFlags() {
    return traceFlags;
  }

  @Override
  public boolean isSampled() {
    return traceFlags.isSampled();
  }

  @Override
  public TraceState getTraceState() {
    return traceState;
  }

  @Override
  public boolean isValid() {
    return true;
  }

  @Override
  public boolean isRemote() {
    return true;
  }

  // ---------------------------------------------------- Span: the sender's, not recorded here

  @Override
  public SpanContext getSpanContext() {
    return this;
  }

  @Override
  public boolean isRecording() {
    return false;
  }

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    return this;
  }

  @Override
  public Span recordException(Throwable exception, Attributes additionalAttributes) {
    return this;
  }

  @Override
  public Span updateName(String name) {
    return this;
  }

  @Override
  public void end() {}

  @Override
  public void end(long timestamp, TimeUnit unit) {}

  /** Writes the trace id, a {@code -} and the span id (49 ASCII bytes) into {@code out}. */
  void writeIds(byte[] out, int at) {
    hex(traceIdHigh, out, at);
    hex(traceIdLow, out, at + 16);
    out[at + 32] = '-';
    hex(spanId, out, at + 33);
  }

  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static void hex(long value, byte[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  private static void putLong(byte[] out, int at, long value) {
    for (int i = 7; i >= 0; i--) {
      out[at + i] = (byte) value;
      value >>>= 8;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RemoteSpanContext other
        && traceIdHigh == other.traceIdHigh
        && traceIdLow == other.traceIdLow
        && spanId == other.spanId
        && traceFlags.equals(other.traceFlags)
        && traceState.equals(other.traceState);
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceIdHigh, traceIdLow, spanId, traceFlags, traceState);
  }

  @Override
  public String toString() {
    return "SpanContext{traceId="
        + getTraceId()
        + ", spanId="
        + getSpanId()
        + ", traceFlags="
        + traceFlags
        + ", traceState="
        + traceState
        + ", remote=true, valid=true}";
  }
}
