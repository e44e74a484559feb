/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.BaggageEntry;
import io.opentelemetry.api.baggage.BaggageEntryMetadata;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Not API: a strict W3C Baggage parser and writer that keeps every valid member, drops every
 * invalid one, and never hands unchecked input to OpenTelemetry's own parser (which logs a stack
 * trace per bad header). Never throws.
 */
public final class BaggageCodec {

  /** The W3C limit on list members. */
  public static final int MAX_MEMBERS = 64;

  /** The W3C limit on the header's size in bytes. */
  public static final int MAX_BYTES = 8192;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private BaggageCodec() {}

  /** What parsing found. */
  public record Parsed(Baggage baggage, boolean invalidMembers, boolean overLimit) {}

  /** What encoding wrote. */
  public record Encoded(@Nullable String header, int dropped) {}

  /** Parses a {@code baggage} header value within the W3C limits. */
  public static Parsed parse(@Nullable String value) {
    if (value == null || value.isEmpty()) {
      return new Parsed(Baggage.empty(), false, false);
    }
    BaggageBuilder builder = Baggage.builder();
    boolean invalid = false;
    boolean overLimit = false;
    int members = 0;
    int start = 0;
    int length = value.length();
    while (start <= length) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      // Bytes so far: the header is ASCII when valid, so chars count bytes; a non-ASCII char
      // makes its member invalid anyway.
      if (end > MAX_BYTES) {
        overLimit = true;
        break;
      }
      String member = Ows.trim(value, start, end);
      if (member.isEmpty()) {
        invalid = true;
      } else if (members >= MAX_MEMBERS) {
        overLimit = true;
        break;
      } else if (addMember(builder, member)) {
        members++;
      } else {
        invalid = true;
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    return new Parsed(builder.build(), invalid, overLimit);
  }

  private static boolean addMember(BaggageBuilder builder, String member) {
    int semi = member.indexOf(';');
    String pair = semi < 0 ? member : member.substring(0, semi);
    int eq = pair.indexOf('=');
    if (eq <= 0) {
      return false;
    }
    String key = Ows.trim(pair, 0, eq);
    String rawValue = Ows.trim(pair, eq + 1, pair.length());
    if (!isToken(key) || !isBaggageValue(rawValue)) {
      return false;
    }
    String decoded = percentDecode(rawValue);
    if (decoded == null) {
      return false;
    }
    String metadata = "";
    if (semi >= 0) {
      metadata = Ows.trim(member, semi + 1, member.length());
      if (!validProperties(metadata)) {
        return false;
      }
    }
    builder.put(key, decoded, BaggageEntryMetadata.create(metadata));
    return true;
  }

  /**
   * Writes baggage as a header value: members whose key is not allowed or not a valid token are
   * left off, and whole members are dropped once adding one would pass {@code maxMembers} or {@code
   * maxBytes}; a member is never truncated.
   */
  public static Encoded encode(
      Baggage baggage, Predicate<String> allowedKey, int maxMembers, int maxBytes) {
    if (baggage.isEmpty()) {
      return new Encoded(null, 0);
    }
    StringBuilder out = new StringBuilder();
    int written = 0;
    int dropped = 0;
    List<Map.Entry<String, BaggageEntry>> entries = new ArrayList<>();
    baggage.forEach((k, e) -> entries.add(Map.entry(k, e)));
    for (Map.Entry<String, BaggageEntry> entry : entries) {
      String key = entry.getKey();
      if (!allowedKey.test(key) || !isToken(key)) {
        dropped++;
        continue;
      }
      StringBuilder member = new StringBuilder(key).append('=');
      percentEncode(entry.getValue().getValue(), member);
      String metadata = entry.getValue().getMetadata().getValue();
      if (metadata != null && !metadata.isEmpty() && validProperties(metadata)) {
        member.append(';').append(metadata);
      }
      int added = member.length() + (out.length() > 0 ? 1 : 0);
      if (written >= maxMembers || out.length() + added > maxBytes) {
        dropped++;
        continue;
      }
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(member);
      written++;
    }
    return new Encoded(out.length() == 0 ? null : out.toString(), dropped);
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBaggageOctet(char c) {
    return c == 0x21
        || (c >= 0x23 && c <= 0x2b)
        || (c >= 0x2d && c <= 0x3a)
        || (c >= 0x3c && c <= 0x5b)
        || (c >= 0x5d && c <= 0x7e);
  }

  private static boolean isBaggageValue(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!isBaggageOctet(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean validProperties(String properties) {
    for (String property : properties.split(";", -1)) {
      String p = Ows.trim(property, 0, property.length());
      int eq = p.indexOf('=');
      String key = eq < 0 ? p : Ows.trim(p, 0, eq);
      if (!isToken(key)) {
        return false;
      }
      if (eq >= 0 && !isBaggageValue(Ows.trim(p, eq + 1, p.length()))) {
        return false;
      }
    }
    return true;
  }

  private static @Nullable String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteBuffer bytes = ByteBuffer.allocate(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.put((byte) (hi * 16 + lo));
        i += 2;
      } else {
        bytes.put((byte) c);
      }
    }
    bytes.flip();
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static void percentEncode(String value, StringBuilder out) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      char c = (char) (b & 0xff);
      if (c < 0x80 && isBaggageOctet(c) && c != '%') {
        out.append(c);
      } else {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
  }
}
