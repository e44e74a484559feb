/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The span context a received {@code traceparent} becomes reads exactly as OpenTelemetry's own
 * would: ids, their bytes, flags, state, validity, and the {@code traceparent} written back.
 */
class RemoteSpanContextTest {

  private static final List<String> IDS =
      List.of(
          "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
          "ffffffffffffffffffffffffffffffff-ffffffffffffffff",
          "00000000000000000000000000000001-0000000000000001",
          "80000000000000000000000000000000-8000000000000001",
          "0123456789abcdef0123456789abcdef-fedcba9876543210");

  @Test
  void readsAsOpenTelemetrysOwnContext() {
    TraceState state = TraceState.builder().put("k", "v").build();
    for (String ids : IDS) {
      for (String flags : List.of("00", "01", "03")) {
        String traceparent = "00-" + ids + "-" + flags;
        SpanContext ours = TraceParent.parse(traceparent, state);
        SpanContext theirs =
            SpanContext.createFromRemoteParent(
                ids.substring(0, 32),
                ids.substring(33),
                (Integer.parseInt(flags, 16) & 1) == 1
                    ? TraceFlags.getSampled()
                    : TraceFlags.getDefault(),
                state);
        assertNotNull(ours, traceparent);
        assertEquals(theirs.getTraceId(), ours.getTraceId(), traceparent);
        assertEquals(theirs.getSpanId(), ours.getSpanId(), traceparent);
        assertArrayEquals(theirs.getTraceIdBytes(), ours.getTraceIdBytes(), traceparent);
        assertArrayEquals(theirs.getSpanIdBytes(), ours.getSpanIdBytes(), traceparent);
        assertEquals(theirs.getTraceFlags(), ours.getTraceFlags(), traceparent);
        assertEquals(theirs.isSampled(), ours.isSampled(), traceparent);
        assertEquals(state, ours.getTraceState());
        assertTrue(ours.isValid() && ours.isRemote(), traceparent);
        assertEquals(ours, TraceParent.parse(traceparent, state));
        assertEquals(ours.hashCode(), TraceParent.parse(traceparent, state).hashCode());
        String written = "00-" + ids + (ours.isSampled() ? "-01" : "-00");
        assertEquals(written, new String(TraceParent.formatBytes(ours), StandardCharsets.US_ASCII));
        assertEquals(
            new String(TraceParent.formatBytes(theirs), StandardCharsets.US_ASCII),
            new String(TraceParent.formatBytes(ours), StandardCharsets.US_ASCII));
        assertEquals(written, TraceParent.format(ours));
      }
    }
  }

  @Test
  void differentIdsOrFlagsAreDifferentContexts() {
    SpanContext one = TraceParent.parse("00-" + IDS.get(0) + "-01", TraceState.getDefault());
    assertNotEquals(one, TraceParent.parse("00-" + IDS.get(1) + "-01", TraceState.getDefault()));
    assertNotEquals(one, TraceParent.parse("00-" + IDS.get(0) + "-00", TraceState.getDefault()));
    assertFalse(one.toString().isEmpty());
  }

  @Test
  void refusesWhatOpenTelemetryRefuses() {
    for (String bad :
        List.of(
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0AF7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333G-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0x",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")) {
      assertNull(TraceParent.parse(bad, TraceState.getDefault()), bad);
    }
  }
}
