/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

/** Optional white space (RFC 9110: spaces and tabs) around the members of a W3C header. */
final class Ows {

  private Ows() {}

  /** {@code s} from {@code from} to {@code to}, without the spaces and tabs at either end. */
  static String trim(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return s.substring(from, to);
  }
}
