/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.internal.SemConv;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** What the send and receive paths share: the hop count in the context, the clock, errors. */
final class Spans {

  private static final ContextKey<Integer> HOPS = ContextKey.named("baton-hops");

  private Spans() {}

  /** The hops a message has travelled to reach the code running in {@code context}, 0 if none. */
  static int hops(Context context) {
    Integer hops = context.get(HOPS);
    return hops == null ? 0 : hops;
  }

  static Context withHops(Context context, int hops) {
    return hops == 0 ? context : context.with(HOPS, hops);
  }

  // Root contexts holding a hop count, made once each: a received message's context is then one
  // copy (the sender's span added), not two. A Context is immutable, so a racing second making of
  // the same entry is harmless.
  private static final Context[] ROOTS_WITH_HOPS = new Context[64];

  /** The root context holding {@code hops} (the root itself for 0). */
  static Context rootWithHops(int hops) {
    if (hops == 0) {
      return Context.root();
    }
    if (hops >= ROOTS_WITH_HOPS.length) {
      return Context.root().with(HOPS, hops);
    }
    Context made = ROOTS_WITH_HOPS[hops];
    if (made == null) {
      made = Context.root().with(HOPS, hops);
      ROOTS_WITH_HOPS[hops] = made;
    }
    return made;
  }

  /** The wall clock read at a moment of the monotonic clock; re-read each second. */
  private record ClockBase(long epochMicros, long nanoTime) {
    static ClockBase read() {
      long nanoTime = System.nanoTime();
      Instant now = Instant.now();
      return new ClockBase(
          TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000, nanoTime);
    }
  }

  private static final long CLOCK_REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static volatile ClockBase clockBase = ClockBase.read();

  /**
   * Now, in microseconds since the epoch: the sent-at stamp's unit. The wall clock is read (an
   * {@code Instant}, 24 B) at most once a second; in between, the monotonic clock's time since that
   * read is added to it, so a message costs no object, and a step of the wall clock shows within a
   * second.
   */
  static long nowMicros() {
    long nanoTime = System.nanoTime();
    ClockBase base = clockBase;
    long elapsed = nanoTime - base.nanoTime;
    if (elapsed < 0 || elapsed >= CLOCK_REREAD_NANOS) {
      base = ClockBase.read();
      clockBase = base;
      return base.epochMicros;
    }
    return base.epochMicros + elapsed / 1000;
  }

  static void recordError(Span span, String errorType, @Nullable Throwable error) {
    try {
      span.setAttribute(SemConv.ERROR_TYPE, errorType);
      span.setStatus(StatusCode.ERROR);
      if (error != null) {
        span.recordException(error);
      }
    } catch (RuntimeException e) {
      // A broken span implementation must not hide the real error.
    }
  }

  @SuppressWarnings("unchecked")
  static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }
}
