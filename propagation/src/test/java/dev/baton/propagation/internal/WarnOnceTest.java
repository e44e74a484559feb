/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;

class WarnOnceTest {

  /** Counts what would be logged, by level. */
  static final class CountingLogger extends AbstractLogger {
    final AtomicInteger warns = new AtomicInteger();
    final AtomicInteger debugs = new AtomicInteger();

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String msg, Object[] args, Throwable t) {
      if (level == Level.WARN) {
        warns.incrementAndGet();
      } else if (level == Level.DEBUG) {
        debugs.incrementAndGet();
      }
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }
  }

  @Test
  void aFloodOfTheSameProblemWarnsOnceThenLogsAtDebug() {
    CountingLogger logger = new CountingLogger();
    WarnOnce warnOnce = new WarnOnce(logger);

    for (int i = 0; i < 10_000; i++) {
      warnOnce.log("bad-traceparent", "rejected {}", i);
    }
    warnOnce.log("bad-baggage", "rejected baggage");

    assertThat(logger.warns).hasValue(2);
    assertThat(logger.debugs).hasValue(9_999);
  }
}
