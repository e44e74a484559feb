/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LedgerTest {

  private static String text(Ledger ledger) {
    byte[] out = new byte[Ledger.MAX_LENGTH];
    int length = ledger.write(out, 0);
    return new String(out, 0, length, StandardCharsets.US_ASCII);
  }

  private static Ledger parse(String s) {
    return Ledger.parse(s, 0, s.length());
  }

  @Test
  void theTotalsGrowHopByHopAndEachAgentCountsOnce() {
    Ledger first = Ledger.begin(1_764_230_400_000_000L).onward("planner", 0, 0, 0, 0);
    Ledger second = first.onward("coder", 1200, 340, 12_500, 5_400_000);
    Ledger third = second.onward("planner", 10, 0, 0, 1_000);

    assertThat(text(first))
        .isEqualTo(
            "h=1,a=1."
                + hex(Ledger.agentBit("planner"))
                + ",t0=1764230400000000,tr="
                + Trail.tag("planner"));
    assertThat(third.hops).isEqualTo(3);
    assertThat(third.agents).as("planner twice, coder once").isEqualTo(2);
    assertThat(third.inputTokens).isEqualTo(1210);
    assertThat(third.outputTokens).isEqualTo(340);
    assertThat(third.costMicros).isEqualTo(12_500);
    assertThat(third.handlerMicros).isEqualTo(5_401_000);
    assertThat(third.startMicros).isEqualTo(1_764_230_400_000_000L);
    assertThat(third.trail)
        .isEqualTo(Trail.tag("planner") + Trail.tag("coder") + Trail.tag("planner"));
    assertThat(text(third)).endsWith(",tr=" + third.trail);
  }

  @Test
  void whatIsWrittenIsReadBackField_by_field() {
    Ledger ledger =
        Ledger.begin(1_764_230_400_123_456L)
            .onward("a", 7, 8, 9, 10)
            .onward("b", 999_999_999_999L, 0, 0, 0);
    Ledger read = parse(text(ledger));

    assertThat(read).isNotNull();
    assertThat(read).usingRecursiveComparison().isEqualTo(ledger);
  }

  @Test
  void theLongestLedgerFitsItsBound() {
    long max = Long.MAX_VALUE;
    Ledger ledger =
        new Ledger(max, max, -1L, max, max, max, max, max).onward("x", max, max, max, max);
    String written = text(ledger);
    assertThat(written.length()).isLessThanOrEqualTo(Ledger.MAX_LENGTH);
    assertThat(parse(written)).isNotNull();
    assertThat(parse(written).inputTokens).as("saturated, not wrapped").isPositive();
  }

  @Test
  void unknownKeysAreSkippedSoFieldsCanBeAdded() {
    Ledger read = parse("h=2,a=1.0000000000000001,zz=anything,t0=5,budget=7");
    assertThat(read).isNotNull();
    assertThat(read.hops).isEqualTo(2);
    assertThat(read.startMicros).isEqualTo(5);
  }

  @Test
  void malformedLedgersAreRefusedWhole() {
    assertThat(parse("")).isNull();
    assertThat(parse("h=2,t0=5")).as("no agents").isNull();
    assertThat(parse("h=2,a=1.00000000000000zz,t0=5")).as("bad sketch").isNull();
    assertThat(parse("h=2,a=1.01,t0=5")).as("short sketch").isNull();
    assertThat(parse("h=-2,a=1.0000000000000001,t0=5")).as("negative").isNull();
    assertThat(parse("h=2,h=3,a=1.0000000000000001,t0=5")).as("twice").isNull();
    assertThat(parse("h=2,a=1.0000000000000001,t0=5,ti=1e9")).as("not decimal").isNull();
    assertThat(parse("h=2,a=1.0000000000000001,t0=5,=3")).as("no key").isNull();
    assertThat(parse("h=2,a=1.0000000000000001,t0=5," + "x=1,".repeat(100)))
        .as("too long")
        .isNull();
    assertThat(parse("h=1234567890123456789,a=1.0000000000000001,t0=5")).as("19 digits").isNull();
  }

  @Test
  void aBudgetTravelsUnchangedAndSaysWhichLimitIsCrossed() {
    long t0 = 1_764_230_400_000_000L;
    Ledger budgeted = Ledger.begin(t0).withBudget(1000, 2_000_000, 3, 60_000_000);
    Ledger third =
        budgeted.onward("a", 500, 0, 0, 0).onward("b", 0, 400, 0, 0).onward("c", 0, 0, 0, 0);

    Ledger read = parse(text(third));
    assertThat(read).usingRecursiveComparison().isEqualTo(third);
    assertThat(read.overBudget(t0 + 1)).isNull();
    assertThat(read.onward("d", 0, 0, 0, 0).overBudget(t0 + 1)).isEqualTo("budget_hops");
    assertThat(budgeted.onward("a", 600, 401, 0, 0).overBudget(t0 + 1)).isEqualTo("budget_tokens");
    assertThat(budgeted.onward("a", 0, 0, 2_000_001, 0).overBudget(t0 + 1))
        .isEqualTo("budget_cost");
    assertThat(budgeted.onward("a", 0, 0, 0, 0).overBudget(t0 + 60_000_001))
        .isEqualTo("budget_time");
    assertThat(text(Ledger.begin(t0).onward("a", 0, 0, 0, 0)))
        .as("no budget, no field")
        .doesNotContain(",b");
  }

  private static String hex(long value) {
    return String.format("%016x", value);
  }
}
