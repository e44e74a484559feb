/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.internal.ConversationAccess;
import dev.baton.propagation.internal.Ledger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs Baton's send conformance vectors ({@code docs/wire-vectors/send.txt}, the format is in the
 * file) against the ledger Baton writes: the totals an agent received, tightened by its own policy,
 * handed on with what it spent. {@code docs/wire-vectors/ledger.py}, written from the specification
 * alone, passes the same vectors.
 */
class WireSendVectorsTest {

  private static final Path VECTORS = Path.of("../docs/wire-vectors/send.txt");

  static List<Map<String, String>> read(Path file) throws Exception {
    List<Map<String, String>> vectors = new ArrayList<>();
    Map<String, String> current = null;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        current = null;
        continue;
      }
      int colon = line.indexOf(": ");
      String key = line.substring(0, colon);
      String value = line.substring(colon + 2);
      if (key.equals("vector")) {
        current = new LinkedHashMap<>();
        vectors.add(current);
      }
      current.put(key, value);
    }
    return vectors;
  }

  @TestFactory
  Stream<DynamicTest> everySendVector() throws Exception {
    Conversation.current(); // installs the conversation parts the engine reaches
    List<Map<String, String>> vectors = read(VECTORS);
    assertThat(vectors).as("vectors in %s", VECTORS).hasSizeGreaterThanOrEqualTo(22);
    return vectors.stream().map(v -> DynamicTest.dynamicTest(v.get("vector"), () -> run(v)));
  }

  private static void run(Map<String, String> vector) {
    String received = vector.get("received");
    Ledger ledger = received.equals("none") ? null : Ledger.parse(received, 0, received.length());
    if (ledger == null) {
      ledger = Ledger.begin(Long.parseLong(vector.get("began")));
    }
    Map<String, Long> policy = numbers(vector.get("policy"));
    if (!policy.isEmpty()) {
      ConversationBudget.Builder budget = ConversationBudget.builder();
      policy.forEach(
          (key, value) -> {
            switch (key) {
              case "bt" -> budget.setMaxTokens(value);
              case "bc" -> budget.setMaxCost(value / 1e6);
              case "bh" -> budget.setMaxHops(value);
              case "bw" -> budget.setMaxDuration(Duration.ofNanos(value * 1000));
              default -> throw new IllegalArgumentException("policy key " + key);
            }
          });
      ledger = ConversationAccess.parts().tighten(ledger, budget.build());
    }
    Map<String, Long> adds = numbers(vector.get("adds"));
    Ledger onward =
        ledger.onward(
            vector.get("agent"),
            adds.getOrDefault("ti", 0L),
            adds.getOrDefault("to", 0L),
            adds.getOrDefault("c", 0L),
            adds.getOrDefault("ht", 0L));
    byte[] out = new byte[Ledger.MAX_LENGTH];
    int length = onward.write(out, 0);
    assertThat(new String(out, 0, length, StandardCharsets.US_ASCII))
        .isEqualTo(vector.get("expect"));
  }

  private static Map<String, Long> numbers(String text) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (text == null) {
      return out;
    }
    for (String field : text.split(",")) {
      String[] kv = field.trim().split("=", 2);
      out.put(kv[0], Long.parseLong(kv[1]));
    }
    return out;
  }
}
