/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Not API: logs a repeating problem at WARN the first time per key, then at DEBUG, so a flood of
 * bad input cannot flood the logs.
 */
public final class WarnOnce {

  private final Logger logger;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  public WarnOnce(Logger logger) {
    this.logger = logger;
  }

  /** Logs {@code message} (an SLF4J pattern) for {@code key}. */
  public void log(String key, String message, Object... args) {
    if (warned.size() < 1024 && warned.add(key)) {
      logger.warn(message + " (further occurrences are logged at DEBUG)", args);
    } else if (logger.isDebugEnabled()) {
      logger.debug(message, args);
    }
  }
}
