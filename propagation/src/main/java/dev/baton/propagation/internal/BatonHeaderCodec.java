/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import dev.baton.propagation.BatonHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Not API: Baton's one header, {@code baton: <hop>;<sent-at µs>;<message id>;<agent name>}, and the
 * message ids Baton generates (32 lower-case hex digits).
 *
 * <p>One header instead of four because every header costs the broker client a map entry, a list
 * and its bytes on every message. The id field is empty when the id travels in the transport's own
 * id header; the agent name is last because it may contain {@code ;}.
 */
public final class BatonHeaderCodec {

  /** The header's name. */
  public static final String NAME = BatonHeaders.BATON;

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_ID = 128;
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[704]);

  private BatonHeaderCodec() {}

  /** A new random message id: 32 lower-case hex digits. */
  /**
   * The id in Baton's header value {@code value} (its ASCII bytes, or its string): the third field,
   * or {@code null} when there is none.
   */
  public static @Nullable String idIn(@Nullable Object value) {
    if (value instanceof byte[] bytes) {
      int first = indexOf(bytes, 0);
      int second = first < 0 ? -1 : indexOf(bytes, first + 1);
      int third = second < 0 ? -1 : indexOf(bytes, second + 1);
      return third > second + 1
          ? new String(bytes, second + 1, third - second - 1, StandardCharsets.ISO_8859_1)
          : null;
    }
    if (value instanceof String string) {
      int first = string.indexOf(';');
      int second = first < 0 ? -1 : string.indexOf(';', first + 1);
      int third = second < 0 ? -1 : string.indexOf(';', second + 1);
      return third > second + 1 ? string.substring(second + 1, third) : null;
    }
    return null;
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == ';') {
        return i;
      }
    }
    return -1;
  }

  public static String newMessageId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return hex(random.nextLong(), random.nextLong());
  }

  /** The 32-hex id of the two halves. */
  public static String hex(long hi, long lo) {
    byte[] out = new byte[32];
    writeHex(out, 0, hi, lo);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** Whether {@code id} can travel in this header: 1 to 128 printable ASCII characters, no ';'. */
  public static boolean fits(String id) {
    return fits(id, 0, id.length());
  }

  /** {@link #fits(String)} for the characters {@code [start, end)} of {@code value}. */
  public static boolean fits(CharSequence value, int start, int end) {
    int length = end - start;
    if (length <= 0 || length > MAX_ID) {
      return false;
    }
    for (int i = start; i < end; i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == ';') {
        return false;
      }
    }
    return true;
  }

  /**
   * The header value. The id is {@code id} when not {@code null}, else the hex of {@code idHi} and
   * {@code idLo} when {@code generated}, else empty.
   */
  public static String format(
      int hop,
      long sentAtMicros,
      @Nullable String id,
      boolean generated,
      long idHi,
      long idLo,
      String agent) {
    return format(hop, sentAtMicros, id, generated, idHi, idLo, agent, null);
  }

  /** {@link #format} followed, when not {@code null}, by a space and the conversation's ledger. */
  public static String format(
      int hop,
      long sentAtMicros,
      @Nullable String id,
      boolean generated,
      long idHi,
      long idLo,
      String agent,
      @Nullable Ledger ledger) {
    byte[] buffer = buffer(id, agent);
    int length = write(buffer, hop, sentAtMicros, id, generated, idHi, idLo, agent, ledger);
    return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
  }

  /** {@link #format} as ASCII bytes, for a wire whose headers hold bytes (no string between). */
  public static byte[] formatBytes(
      int hop,
      long sentAtMicros,
      @Nullable String id,
      boolean generated,
      long idHi,
      long idLo,
      String agent) {
    return formatBytes(hop, sentAtMicros, id, generated, idHi, idLo, agent, null);
  }

  /** {@link #formatBytes} followed, when not {@code null}, by a space and the ledger. */
  public static byte[] formatBytes(
      int hop,
      long sentAtMicros,
      @Nullable String id,
      boolean generated,
      long idHi,
      long idLo,
      String agent,
      @Nullable Ledger ledger) {
    byte[] buffer = buffer(id, agent);
    int length = write(buffer, hop, sentAtMicros, id, generated, idHi, idLo, agent, ledger);
    return Arrays.copyOf(buffer, length);
  }

  private static byte[] buffer(@Nullable String id, String agent) {
    int need =
        11 + 20 + 3 + (id != null ? id.length() : 32) + agent.length() + 1 + Ledger.MAX_LENGTH;
    return need <= 704 ? SCRATCH.get() : new byte[need];
  }

  private static int write(
      byte[] buffer,
      int hop,
      long sentAtMicros,
      @Nullable String id,
      boolean generated,
      long idHi,
      long idLo,
      String agent,
      @Nullable Ledger ledger) {
    int at = writeDecimal(buffer, 0, hop);
    buffer[at++] = ';';
    at = writeDecimal(buffer, at, sentAtMicros);
    buffer[at++] = ';';
    if (id != null) {
      at = writeAscii(buffer, at, id);
    } else if (generated) {
      writeHex(buffer, at, idHi, idLo);
      at += 32;
    }
    buffer[at++] = ';';
    at = writeAscii(buffer, at, agent);
    if (ledger != null) {
      buffer[at++] = ' ';
      at = ledger.write(buffer, at);
    }
    return at;
  }

  private static void writeHex(byte[] out, int at, long hi, long lo) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (hi & 0xf)];
      out[at + i + 16] = HEX[(int) (lo & 0xf)];
      hi >>>= 4;
      lo >>>= 4;
    }
  }

  private static int writeAscii(byte[] out, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      out[at++] = (byte) s.charAt(i);
    }
    return at;
  }

  /** Writes {@code value} (not negative) in decimal at {@code out[at]}; returns the index after. */
  public static int writeDecimal(byte[] out, int at, long value) {
    if (value == 0) {
      out[at] = '0';
      return at + 1;
    }
    int digits = 0;
    for (long v = value; v > 0; v /= 10) {
      digits++;
    }
    for (int i = at + digits - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at + digits;
  }

  /** A non-negative decimal of at most {@code maxDigits} digits in {@code s[from, to)}, or -1. */
  public static long parseDecimal(CharSequence s, int from, int to, int maxDigits) {
    int length = to - from;
    if (length <= 0 || length > maxDigits) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
