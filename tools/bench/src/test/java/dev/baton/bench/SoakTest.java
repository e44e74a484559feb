/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one-minute soak in the scenario suite: mixed traffic on a nats-server and a KRaft broker of
 * its own for 60 s after a warm-up, failing on a lost or doubled message, heap, thread or
 * descriptor growth, or any failure Baton counted of its own. The ten-minute one is {@code
 * bench/soak}.
 */
@Tag("scenario")
class SoakTest {

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sixtySecondsOfMixedTrafficLoseNothingLeakNothingAndCountNoTelemetryFailure()
      throws Exception {
    assertThat(Soak.soak(Duration.ofSeconds(60))).as("the soak's checks (report above)").isTrue();
  }
}
