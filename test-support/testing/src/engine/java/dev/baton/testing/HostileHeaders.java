/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static dev.baton.transport.RejectionReason.BAGGAGE_LIMIT_EXCEEDED;
import static dev.baton.transport.RejectionReason.DUPLICATE_HEADER;
import static dev.baton.transport.RejectionReason.INVALID_BAGGAGE;
import static dev.baton.transport.RejectionReason.INVALID_BATON_HEADER;
import static dev.baton.transport.RejectionReason.INVALID_TRACEPARENT;
import static dev.baton.transport.RejectionReason.INVALID_TRACESTATE;
import static dev.baton.transport.RejectionReason.MISSING_CONTEXT;

import dev.baton.transport.RejectionReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Malformed and hostile header sets, shared by every test of extraction: the table of named cases
 * and a generator of random and mutated ones.
 */
public final class HostileHeaders {

  /** A valid trace id. */
  public static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  /** A valid span id. */
  public static final String SPAN = "00f067aa0ba902b7";

  /** A valid sampled {@code traceparent} of {@link #TRACE} and {@link #SPAN}. */
  public static final String VALID = "00-" + TRACE + "-" + SPAN + "-01";

  static final String TP = "traceparent";

  private HostileHeaders() {}

  /**
   * One named case.
   *
   * @param name what it is
   * @param headers the headers, or {@code null} for a message without any
   * @param continues whether the receiver continues the trace {@link #TRACE} (else a new root)
   * @param reasons the rejection reasons it must report
   */
  public record Row(
      String name,
      @Nullable Map<String, List<String>> headers,
      boolean continues,
      Set<RejectionReason> reasons) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(
      String name,
      @Nullable Map<String, List<String>> headers,
      boolean continues,
      Set<RejectionReason> reasons) {
    return new Row(name, headers, continues, reasons);
  }

  /** {@return every bad-input case the issue lists, and a few more} */
  public static List<Row> rows() {
    String bigBaggage =
        IntStream.range(0, 100)
            .mapToObj(i -> "k" + i + "=" + "v".repeat(100))
            .collect(Collectors.joining(","));
    String manyMembers =
        IntStream.range(0, 80).mapToObj(i -> "m" + i + "=x").collect(Collectors.joining(","));
    return List.of(
        row("no headers at all", null, false, Set.of(MISSING_CONTEXT)),
        row("empty headers", MapHeaders.of(), false, Set.of(MISSING_CONTEXT)),
        row(
            "only application headers",
            MapHeaders.of("x-app", "1"),
            false,
            Set.of(MISSING_CONTEXT)),
        row("valid", MapHeaders.of(TP, VALID), true, Set.of()),
        row(
            "version ff",
            MapHeaders.of(TP, "ff" + VALID.substring(2)),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "version not hex",
            MapHeaders.of(TP, "zz" + VALID.substring(2)),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "future version with more fields is read as 00",
            MapHeaders.of(TP, "cc" + VALID.substring(2) + "-what-the-future-holds"),
            true,
            Set.of()),
        row(
            "future version, longer without a dash",
            MapHeaders.of(TP, "cc" + VALID.substring(2) + "x"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "version 00 with extra fields",
            MapHeaders.of(TP, VALID + "-01"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "all-zero trace id",
            MapHeaders.of(TP, "00-" + "0".repeat(32) + "-" + SPAN + "-01"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "all-zero span id",
            MapHeaders.of(TP, "00-" + TRACE + "-" + "0".repeat(16) + "-01"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "short trace id",
            MapHeaders.of(TP, "00-" + TRACE.substring(1) + "-" + SPAN + "-01"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "long span id",
            MapHeaders.of(TP, "00-" + TRACE + "-" + SPAN + "a-01"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "upper-case hex",
            MapHeaders.of(TP, VALID.toUpperCase()),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "non-hex digit",
            MapHeaders.of(TP, VALID.replace('a', 'g')),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "wrong separators",
            MapHeaders.of(TP, VALID.replace('-', '_')),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "CR LF injected",
            MapHeaders.of(TP, VALID.substring(0, 20) + "\r\n" + VALID.substring(22)),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "trailing CR LF",
            MapHeaders.of(TP, VALID + "\r\n"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row("empty traceparent", MapHeaders.of(TP, ""), false, Set.of(INVALID_TRACEPARENT)),
        row(
            "1 MiB traceparent",
            MapHeaders.of(TP, "0".repeat(1 << 20)),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "unknown flags are kept as sampled",
            MapHeaders.of(TP, VALID.substring(0, 53) + "ff"),
            true,
            Set.of()),
        row(
            "duplicated traceparent: the last wins",
            MapHeaders.of(TP, "00-" + "1".repeat(32) + "-" + SPAN + "-01", TP, VALID),
            true,
            Set.of(DUPLICATE_HEADER)),
        row(
            "duplicated traceparent, last invalid",
            MapHeaders.of(TP, VALID, TP, "garbage"),
            false,
            Set.of(DUPLICATE_HEADER, INVALID_TRACEPARENT)),
        row(
            "invalid tracestate dropped, trace kept",
            MapHeaders.of(TP, VALID, "tracestate", "UPPER=1,bad key=2"),
            true,
            Set.of(INVALID_TRACESTATE)),
        row(
            "tracestate with control character",
            MapHeaders.of(TP, VALID, "tracestate", "vendor=a\u0001b"),
            true,
            Set.of(INVALID_TRACESTATE)),
        row(
            "baggage with control character",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=a\u0007b"),
            true,
            Set.of(INVALID_BAGGAGE)),
        row(
            "baggage with CR LF",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=a\r\nX-Evil: 1"),
            true,
            Set.of(INVALID_BAGGAGE)),
        row(
            "badly percent-encoded baggage",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=%zz"),
            true,
            Set.of(INVALID_BAGGAGE)),
        row(
            "baggage that is not UTF-8",
            MapHeaders.of(TP, VALID, "baggage", "good=1,bad=%ff%fe"),
            true,
            Set.of(INVALID_BAGGAGE)),
        row(
            "baggage without a key",
            MapHeaders.of(TP, VALID, "baggage", "good=1,=value"),
            true,
            Set.of(INVALID_BAGGAGE)),
        row(
            "oversized baggage",
            MapHeaders.of(TP, VALID, "baggage", bigBaggage),
            true,
            Set.of(BAGGAGE_LIMIT_EXCEEDED)),
        row(
            "more than 64 baggage members",
            MapHeaders.of(TP, VALID, "baggage", manyMembers),
            true,
            Set.of(BAGGAGE_LIMIT_EXCEEDED)),
        row(
            "duplicated baggage: the last wins",
            MapHeaders.of(TP, VALID, "baggage", "old=1", "baggage", "good=1"),
            true,
            Set.of(DUPLICATE_HEADER)),
        row(
            "invalid traceparent keeps valid baggage",
            MapHeaders.of(TP, "nope", "baggage", "good=1"),
            false,
            Set.of(INVALID_TRACEPARENT)),
        row(
            "bad hop count",
            MapHeaders.of(TP, VALID, "baton-hops", "-3"),
            true,
            Set.of(INVALID_BATON_HEADER)),
        row(
            "bad sent-at stamp",
            MapHeaders.of(TP, VALID, "baton-sent-at", "yesterday"),
            true,
            Set.of(INVALID_BATON_HEADER)),
        row(
            "agent name with control characters",
            MapHeaders.of(TP, VALID, "baton-agent", "evil\u0000agent"),
            true,
            Set.of(INVALID_BATON_HEADER)));
  }

  static final String[] NAMES = {
    "traceparent",
    "tracestate",
    "baggage",
    "baton-hops",
    "baton-sent-at",
    "baton-agent",
    "baton-agent-id",
    "Traceparent",
    "x-other"
  };

  /**
   * One random or mutated header set drawn from {@code random}: up to six names, each with one to
   * three values, every value a mutated {@code traceparent}, grammar-ish baggage or noise. The same
   * seed always gives the same set, so a failure is replayed from its seed.
   *
   * @param random the source of randomness
   * @return the header set, names and their values
   */
  public static Map<String, List<String>> headerSet(SplittableRandom random) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    int names = random.nextInt(7);
    for (int i = 0; i < names; i++) {
      List<String> values = map.computeIfAbsent(pick(random, NAMES), k -> new ArrayList<>());
      int count = 1 + random.nextInt(3);
      for (int v = 0; v < count; v++) {
        values.add(
            switch (random.nextInt(3)) {
              case 0 -> mutatedTraceparent(random);
              case 1 -> baggageish(random);
              default -> noise(random);
            });
      }
    }
    return map;
  }

  private static String pick(SplittableRandom random, String[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** Any UTF-16 code units, lone surrogates included, biased to short and to the edges. */
  private static String noise(SplittableRandom random) {
    int length =
        switch (random.nextInt(8)) {
          case 0 -> 0;
          case 1 -> 120;
          default -> random.nextInt(121);
        };
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(
          switch (random.nextInt(4)) {
            case 0 -> (char) random.nextInt(0x20); // control characters
            case 1 -> (char) (0x20 + random.nextInt(0x5f)); // printable ASCII
            case 2 -> (char) (0xD800 + random.nextInt(0x800)); // surrogates, paired or not
            default -> (char) random.nextInt(0x10000);
          });
    }
    return out.toString();
  }

  private static String chars(SplittableRandom random, String alphabet, int maxLength) {
    int length = random.nextInt(maxLength + 1);
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private static String baggageish(SplittableRandom random) {
    int members = random.nextInt(8) == 0 ? 60 + random.nextInt(11) : random.nextInt(8);
    List<String> list = new ArrayList<>(members);
    for (int i = 0; i < members; i++) {
      list.add(
          chars(random, "abcXYZ09-_%=;, \t\r\n\u0000\u00e9", 8)
              + "="
              + chars(random, "abc%2F0Ef=;,\"\\ \u0007\u00e9", 12));
    }
    return String.join(",", list);
  }

  private static String mutatedTraceparent(SplittableRandom random) {
    String replacements = "0123456789abcdefABCDEFgz-_ \r\n\u0000";
    int p = random.nextInt(VALID.length());
    char c = replacements.charAt(random.nextInt(replacements.length()));
    return switch (random.nextInt(6)) {
      case 0 -> VALID;
      case 1 -> VALID.substring(0, p) + c + VALID.substring(p + 1);
      case 2 -> VALID.substring(0, p) + VALID.substring(p + 1);
      case 3 -> VALID.substring(0, p) + c + VALID.substring(p);
      case 4 -> VALID.substring(0, p);
      default -> c + "" + c + VALID.substring(2) + (p % 2 == 0 ? "" : "-" + c);
    };
  }
}
