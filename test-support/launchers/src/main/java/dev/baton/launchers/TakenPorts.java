/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Clusters pick their ports free and bind them later (each member must know the others' ports
 * before it starts): when another process takes one meanwhile, the whole cluster starts again on
 * new ports, up to three times.
 */
final class TakenPorts {

  private static final int ATTEMPTS = 3;

  private TakenPorts() {}

  /** Runs {@code start} until it does not fail on a taken port, at most three times. */
  static <T> T retry(Callable<T> start) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return start.call();
      } catch (IllegalStateException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (attempt == ATTEMPTS || !message.contains("address already in use")) {
          throw e;
        }
      }
    }
  }
}
