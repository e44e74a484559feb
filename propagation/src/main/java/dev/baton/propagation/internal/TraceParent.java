/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import org.jspecify.annotations.Nullable;

/**
 * Not API: a strict W3C Trace Context {@code traceparent} parser and writer.
 *
 * <p>Version {@code 00} must be exactly 55 characters: {@code 00-<32 hex>-<16 hex>-<2 hex>}, lower
 * case, trace id and parent id not all zeros. A higher version (not {@code ff}) is parsed as
 * version 00 when its first 55 characters have that shape and the 56th, if any, is {@code -}, as
 * the specification requires of a receiver. Anything else is invalid. Never throws.
 */
public final class TraceParent {

  static final int LENGTH = 55;

  private TraceParent() {}

  /** The remote span context in {@code value}, or {@code null} when it is not valid. */
  public static @Nullable SpanContext parse(@Nullable CharSequence value, TraceState traceState) {
    if (value == null || value.length() < LENGTH) {
      return null;
    }
    int v0 = hex(value.charAt(0));
    int v1 = hex(value.charAt(1));
    if (v0 < 0 || v1 < 0) {
      return null;
    }
    int version = v0 * 16 + v1;
    if (version == 0xff) {
      return null;
    }
    if (version == 0
        ? value.length() != LENGTH
        : value.length() > LENGTH && value.charAt(LENGTH) != '-') {
      return null;
    }
    if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return null;
    }
    // Each character read once: its digit, or -1 (not lower-case hex) which sets the sign of bad.
    int bad = 0;
    long traceIdHigh = 0;
    for (int i = 3; i < 19; i++) {
      int digit = digit(value.charAt(i));
      bad |= digit;
      traceIdHigh = (traceIdHigh << 4) | (digit & 0xf);
    }
    long traceIdLow = 0;
    for (int i = 19; i < 35; i++) {
      int digit = digit(value.charAt(i));
      bad |= digit;
      traceIdLow = (traceIdLow << 4) | (digit & 0xf);
    }
    long spanId = 0;
    for (int i = 36; i < 52; i++) {
      int digit = digit(value.charAt(i));
      bad |= digit;
      spanId = (spanId << 4) | (digit & 0xf);
    }
    int flagsHigh = digit(value.charAt(53));
    int flags = digit(value.charAt(54));
    if ((bad | flagsHigh | flags) < 0) {
      return null;
    }
    if ((traceIdHigh == 0 && traceIdLow == 0) || spanId == 0) {
      return null;
    }
    // Only the sampled bit is defined; a receiver keeps it and ignores the others.
    TraceFlags traceFlags = (flags & 1) == 1 ? TraceFlags.getSampled() : TraceFlags.getDefault();
    return new RemoteSpanContext(traceIdHigh, traceIdLow, spanId, traceFlags, traceState);
  }

  /** The {@code traceparent} value for a valid span context, as ASCII bytes (55 of them). */
  public static byte[] formatBytes(SpanContext context) {
    byte[] out = new byte[55];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    if (context instanceof RemoteSpanContext remote) {
      // A sender's context passed on (an unsampled hop's onward send): no id strings made.
      remote.writeIds(out, 3);
    } else {
      ascii(context.getTraceId(), out, 3);
      out[35] = '-';
      ascii(context.getSpanId(), out, 36);
    }
    out[52] = '-';
    out[53] = '0';
    out[54] = context.isSampled() ? (byte) '1' : (byte) '0';
    return out;
  }

  private static void ascii(String s, byte[] out, int at) {
    for (int i = 0; i < s.length(); i++) {
      out[at + i] = (byte) s.charAt(i);
    }
  }

  /** The {@code traceparent} value for a valid span context. */
  public static String format(SpanContext context) {
    return "00-"
        + context.getTraceId()
        + "-"
        + context.getSpanId()
        + (context.isSampled() ? "-01" : "-00");
  }

  private static final byte[] DIGITS = new byte[128];

  static {
    java.util.Arrays.fill(DIGITS, (byte) -1);
    for (int i = 0; i < 16; i++) {
      DIGITS["0123456789abcdef".charAt(i)] = (byte) i;
    }
  }

  /** A lower-case hex digit's value, else -1. */
  private static int digit(char c) {
    return c < 128 ? DIGITS[c] : -1;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
