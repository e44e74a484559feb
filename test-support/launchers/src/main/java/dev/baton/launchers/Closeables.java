/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.util.List;

/** Closing several servers: every one is closed, and the first failure is thrown afterwards. */
final class Closeables {

  private Closeables() {}

  static void closeAll(List<? extends AutoCloseable> closeables) throws Exception {
    Exception first = null;
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
