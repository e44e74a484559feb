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
}
