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

  /** Whether {@code destination} matches. */
  public boolean matches(String destination) {
    String[] parts = destination.split("\\.", -1);
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i].equals(">")) {
        return parts.length > i;
      }
      if (i >= parts.length) {
        return false;
      }
      if (!tokens[i].equals("*") && !tokens[i].equals(parts[i])) {
        return false;
      }
    }
    return parts.length == tokens.length;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
