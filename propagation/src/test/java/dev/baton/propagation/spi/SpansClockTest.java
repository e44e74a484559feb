/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sent-at clock reads the wall clock once a second and the monotonic clock in between: it must
 * stay with the wall clock, across a re-read, and never run backwards while the wall clock does
 * not.
 */
class SpansClockTest {

  private static long wallMicros() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000;
  }

  @Test
  void staysWithTheWallClockAcrossReReads() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
    long previous = Spans.nowMicros();
    long reads = 0;
    while (System.nanoTime() < deadline) {
      long before = wallMicros();
      long now = Spans.nowMicros();
      long after = wallMicros();
      // The wall clock's own granularity and the monotonic clock's drift over one second stay far
      // inside a millisecond.
      assertThat(now).isBetween(before - 1_000, after + 1_000);
      assertThat(now).isGreaterThanOrEqualTo(previous - 1_000);
      previous = now;
      reads++;
    }
    assertThat(reads).isGreaterThan(1_000);
  }
}
