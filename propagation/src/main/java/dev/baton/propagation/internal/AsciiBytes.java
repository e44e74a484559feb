/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Not API: a header value held as bytes (Kafka's) read as characters, one per byte, without
 * decoding it into a string first: the engine parses {@code traceparent} and Baton's header in
 * place and makes strings only of the parts it keeps (the ids). A byte outside ASCII reads as a
 * character above 0x7f, which every parser here rejects, as it would the decoded character.
 */
public final class AsciiBytes implements CharSequence {

  private static final byte[] NONE = new byte[0];

  private byte[] bytes;

  public AsciiBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** An empty one, to be {@link #reset} by the one thread that owns it. */
  public AsciiBytes() {
    this(NONE);
  }

  /**
   * This object reading {@code value} now (empty when {@code null}): for a wrapper one thread
   * reuses from message to message, which must not be kept past the read.
   */
  public AsciiBytes reset(byte @Nullable [] value) {
    bytes = value == null ? NONE : value;
    return this;
  }

  /** The bytes read, not a copy. */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public int length() {
    return bytes.length;
  }

  @Override
  public char charAt(int index) {
    return (char) (bytes[index] & 0xff);
  }

  /** The characters {@code [start, end)} as a string (the one place a string is made). */
  @Override
  public String subSequence(int start, int end) {
    if (start < 0 || end > bytes.length || start > end) {
      throw new IndexOutOfBoundsException("[" + start + ", " + end + ") of " + bytes.length);
    }
    return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** The first {@code c} in {@code s} at or after {@code from}, or -1. */
  public static int indexOf(CharSequence s, char c, int from) {
    if (s instanceof String string) {
      return string.indexOf(c, from);
    }
    for (int i = Math.max(0, from); i < s.length(); i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code s} holds {@code prefix} at {@code from}. */
  public static boolean startsWith(CharSequence s, String prefix, int from) {
    if (s instanceof String string) {
      return string.startsWith(prefix, from);
    }
    if (from < 0 || from + prefix.length() > s.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (s.charAt(from + i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
