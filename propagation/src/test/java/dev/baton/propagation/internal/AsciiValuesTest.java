/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The values the engine writes as bytes for Kafka are the very strings it writes for NATS. */
class AsciiValuesTest {

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  @Test
  void traceparentAsBytesIsTraceparentAsAString() {
    for (TraceFlags flags : new TraceFlags[] {TraceFlags.getSampled(), TraceFlags.getDefault()}) {
      SpanContext context =
          SpanContext.create(
              "0af7651916cd43dd8448eb211c80319c",
              "b7ad6b7169203331",
              flags,
              TraceState.getDefault());
      assertThat(text(TraceParent.formatBytes(context)))
          .isEqualTo(TraceParent.format(context))
          .startsWith("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0");
    }
  }

  @Test
  void batonsHeaderAsBytesIsBatonsHeaderAsAString() {
    long now = 1_733_241_600_123_456L;
    assertThat(text(BatonHeaderCodec.formatBytes(3, now, null, true, 42L, -7L, "planner")))
        .isEqualTo(BatonHeaderCodec.format(3, now, null, true, 42L, -7L, "planner"))
        .matches("3;1733241600123456;[0-9a-f]{32};planner");
    assertThat(text(BatonHeaderCodec.formatBytes(1, now, "order-17", false, 0, 0, "a")))
        .isEqualTo(BatonHeaderCodec.format(1, now, "order-17", false, 0, 0, "a"))
        .isEqualTo("1;1733241600123456;order-17;a");
    assertThat(text(BatonHeaderCodec.formatBytes(1, now, null, false, 0, 0, "a")))
        .isEqualTo("1;1733241600123456;;a");
  }

  @Test
  void aTraceparentReadInPlaceFromBytesParsesAsItsString() {
    String[] values = {
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
      "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
      "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
      "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033\u00e9-01",
      "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "",
    };
    for (String value : values) {
      SpanContext fromString = TraceParent.parse(value, TraceState.getDefault());
      SpanContext fromBytes =
          TraceParent.parse(
              new AsciiBytes(value.getBytes(StandardCharsets.UTF_8)), TraceState.getDefault());
      assertThat(fromBytes).as(value).isEqualTo(fromString);
    }
  }

  @Test
  void bytesReadAsCharactersOnePerByte() {
    AsciiBytes ascii = new AsciiBytes("1;17;id-\u00e9".getBytes(StandardCharsets.UTF_8));
    assertThat(ascii.length()).isEqualTo(10);
    assertThat(ascii.subSequence(5, 7)).isEqualTo("id");
    assertThat(AsciiBytes.indexOf(ascii, ';', 2)).isEqualTo(4);
    assertThat(AsciiBytes.indexOf(ascii, 'x', 0)).isEqualTo(-1);
    assertThat(AsciiBytes.startsWith(ascii, "17", 2)).isTrue();
    assertThat(AsciiBytes.startsWith(ascii, "17;id-x", 2)).isFalse();
    // A byte outside ASCII is a character above 0x7f: rejected wherever only ASCII is allowed.
    assertThat(ascii.charAt(8)).isGreaterThan((char) 0x7f);
    assertThat(BatonHeaderCodec.parseDecimal(ascii, 2, 4, 18)).isEqualTo(17);
  }
}
