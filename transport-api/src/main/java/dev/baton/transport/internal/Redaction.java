/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

import java.util.regex.Pattern;

/** Not API: removes credentials from text before it reaches a log, a span or an event. */
public final class Redaction {

  // scheme://user:password@host, scheme://token@host
  private static final Pattern URL_USERINFO =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]+@");
  // password=..., token: ..., "pass":"..." and friends
  private static final Pattern KEY_VALUE =
      Pattern.compile(
          "(?i)((?:pass(?:word)?|pwd|secret|token|jwt|nkey|seed|creds|credentials|api[_-]?key|sasl\\.jaas\\.config)\\s*[\"']?\\s*[=:]\\s*[\"']?)[^\\s,;\"'&}]+");
  private static final int MAX_LENGTH = 256;

  private Redaction() {}

  /** The text with URL user-info and {@code key=value} secrets replaced by {@code ***}. */
  public static String redact(String text) {
    if (text == null) {
      return "";
    }
    String out = URL_USERINFO.matcher(text).replaceAll("$1***@");
    out = KEY_VALUE.matcher(out).replaceAll("$1***");
    if (out.length() > MAX_LENGTH) {
      out = out.substring(0, MAX_LENGTH) + "...";
    }
    return out;
  }

  /** The redacted message of a throwable, prefixed with its class name. */
  public static String describe(Throwable error) {
    String message = error.getMessage();
    String name = error.getClass().getName();
    return message == null ? name : name + ": " + redact(message);
  }
}
