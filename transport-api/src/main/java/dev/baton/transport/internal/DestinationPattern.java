/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

/**
 * Not API: a destination pattern in NATS wildcard syntax: tokens separated by {@code .}, {@code *}
 * matches one token, a final {@code >} matches one or more. Kafka topic names match as one or more
 * tokens the same way.
 */
public final class DestinationPattern {

  private final String pattern;
  private final String[] tokens;

  private DestinationPattern(String pattern, String[] tokens) {
    this.pattern = pattern;
    this.tokens = tokens;
  }

  /** Parses a pattern; throws {@link IllegalArgumentException} saying what is wrong. */
  public static DestinationPattern parse(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("destination pattern must not be empty");
    }
    String[] tokens = pattern.split("\\.", -1);
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i];
      if (t.isEmpty()) {
        throw new IllegalArgumentException(
            "destination pattern '" + pattern + "' has an empty token");
      }
      if (t.equals(">") && i != tokens.length - 1) {
        throw new IllegalArgumentException(
            "destination pattern '" + pattern + "': '>' may only be the last token");
      }
      if (!t.equals("*") && !t.equals(">") && (t.contains("*") || t.contains(">"))) {
        throw new IllegalArgumentException(
            "destination pattern '" + pattern + "': wildcards must be whole tokens");
      }
    }
    return new DestinationPattern(pattern, tokens);
  }

  /** Whether {@code destination} matches. Allocates nothing: it runs on the message path. */
  public boolean matches(String destination) {
    int pos = 0; // where the destination's next token starts; -1 once there is none
    for (String token : tokens) {
      if (pos < 0) {
        return false;
      }
      int dot = destination.indexOf('.', pos);
      int end = dot < 0 ? destination.length() : dot;
      if (token.equals(">")) {
        return true;
      }
      if (!token.equals("*")
          && (end - pos != token.length() || !destination.startsWith(token, pos))) {
        return false;
      }
      pos = dot < 0 ? -1 : dot + 1;
    }
    return pos < 0;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
