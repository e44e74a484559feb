/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LagClockTest {

  @Test
  void aCaughtUpConsumerReadsZeroHoweverLongTheLogHasBeenIdle() {
    LagClock clock = new LagClock(10);
    clock.recordEnd(100, 0);
    clock.recordEnd(100, 60_000);

    assertThat(clock.estimateSeconds(100, 3_600_000)).isZero();
  }

  @Test
  void aPositionBetweenSamplesIsInterpolated() {
    LagClock clock = new LagClock(10);
    clock.recordEnd(0, 0);
    clock.recordEnd(1000, 10_000); // 100 messages a second

    // the message at 499 was appended when the end reached 500: at 5 s
    assertThat(clock.estimateSeconds(499, 12_000)).isCloseTo(7.0, within(0.001));
  }

  @Test
  void replayingFromTheStartDoesNotExtrapolate() {
    LagClock clock = new LagClock(3);
    clock.recordEnd(1_000_000, 100_000);
    clock.recordEnd(1_000_100, 110_000);

    // position 0 is far older than any sample: the estimate is the oldest sample's age
    assertThat(clock.estimateSeconds(0, 120_000)).isEqualTo(20.0);
  }

  @Test
  void noHistoryIsUnknownNotZero() {
    assertThat(new LagClock(2).estimateSeconds(5, 1000)).isNaN();
  }

  @Test
  void exactLagIsTheOldestUnprocessedMessagesAge() {
    assertThat(LagClock.exactSeconds(1_000, 3_500)).isEqualTo(2.5);
    assertThat(LagClock.exactSeconds(5_000, 3_500)).as("clock skew never goes negative").isZero();
  }

  @Test
  void aTruncatedLogStartsTheHistoryOver() {
    LagClock clock = new LagClock(5);
    clock.recordEnd(500, 0);
    clock.recordEnd(10, 1_000);

    assertThat(clock.estimateSeconds(10, 2_000)).isZero();
    assertThat(clock.estimateSeconds(5, 2_000)).isEqualTo(1.0);
  }
}
