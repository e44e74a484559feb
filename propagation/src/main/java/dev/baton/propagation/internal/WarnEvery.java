/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Not API: logs a repeating event at WARN at most once per period per key (at DEBUG in between),
 * for at most 1,024 keys; later keys are logged at DEBUG only.
 */
public final class WarnEvery {

  private final Logger logger;
  private final long periodMillis;
  private final Map<String, Long> last = new ConcurrentHashMap<>();

  public WarnEvery(Logger logger, long periodMillis) {
    this.logger = logger;
    this.periodMillis = periodMillis;
  }

  /** Logs {@code message} (an SLF4J pattern) for {@code key}. */
  public void log(String key, String message, Object... args) {
    long now = System.currentTimeMillis();
    Long before = last.get(key);
    boolean due =
        before == null
            ? last.size() < 1024 && last.putIfAbsent(key, now) == null
            : now - before >= periodMillis && last.replace(key, before, now);
    if (due) {
      logger.warn(message, args);
    } else if (logger.isDebugEnabled()) {
      logger.debug(message, args);
    }
  }
}
