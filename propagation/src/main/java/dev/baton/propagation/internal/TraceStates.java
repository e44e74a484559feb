/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Not API: a strict W3C {@code tracestate} parser and writer. Never throws. */
public final class TraceStates {

  static final int MAX_MEMBERS = 32;
  static final int MAX_LENGTH = 512 * MAX_MEMBERS;

  private TraceStates() {}

  /**
   * The trace state in {@code value}; {@link TraceState#getDefault()} for {@code null} or empty;
   * {@code null} when it breaks the rules (the whole header is then dropped).
   */
  public static @Nullable TraceState parse(@Nullable String value) {
    if (value == null || value.isEmpty()) {
      return TraceState.getDefault();
    }
    if (value.length() > MAX_LENGTH) {
      return null;
    }
    List<String[]> members = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      String member = Ows.trim(value, start, end);
      if (!member.isEmpty()) {
        int eq = member.indexOf('=');
        if (eq <= 0) {
          return null;
        }
        String key = member.substring(0, eq);
        String val = member.substring(eq + 1);
        if (!validKey(key) || !validValue(val) || !keys.add(key)) {
          return null;
        }
        members.add(new String[] {key, val});
        if (members.size() > MAX_MEMBERS) {
          return null;
        }
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    TraceStateBuilder builder = TraceState.builder();
    // The builder puts a new key at the front; add in reverse to keep the order.
    for (int i = members.size() - 1; i >= 0; i--) {
      builder.put(members.get(i)[0], members.get(i)[1]);
    }
    TraceState state = builder.build();
    return state.size() == members.size() ? state : null;
  }

  /** The {@code tracestate} header value, or {@code null} when the state is empty. */
  public static @Nullable String format(TraceState state) {
    if (state.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    state.forEach(
        (k, v) -> {
          if (out.length() > 0) {
            out.append(',');
          }
          out.append(k).append('=').append(v);
        });
    return out.toString();
  }

  private static boolean validKey(String key) {
    int at = key.indexOf('@');
    if (at < 0) {
      return key.length() <= 256 && keyPart(key, true);
    }
    String tenant = key.substring(0, at);
    String system = key.substring(at + 1);
    return tenant.length() >= 1
        && tenant.length() <= 241
        && system.length() >= 1
        && system.length() <= 14
        && keyPart(tenant, false)
        && keyPart(system, true);
  }

  private static boolean keyPart(String s, boolean mustStartWithLetter) {
    if (s.isEmpty()) {
      return false;
    }
    char first = s.charAt(0);
    if (!(first >= 'a' && first <= 'z')
        && (mustStartWithLetter || !(first >= '0' && first <= '9'))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '*'
              || c == '/';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean validValue(String value) {
    if (value.isEmpty() || value.length() > 256 || value.charAt(value.length() - 1) == ' ') {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
        return false;
      }
    }
    return true;
  }
}
