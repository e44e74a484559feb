/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrailTest {

  private static String trail(String... agents) {
    String trail = "";
    for (String agent : agents) {
      trail = Trail.append(trail, Trail.tag(agent));
    }
    return trail;
  }

  @Test
  void twoAgentsBouncingAreALoopAtTheHopThatClosesTheThirdRound() {
    String a = Trail.tag("alpha");
    String b = Trail.tag("beta");
    assertThat(Trail.cycle(trail("alpha", "beta", "alpha", "beta"), a, 3)).isNull();
    assertThat(Trail.cycle(trail("alpha", "beta", "alpha", "beta", "alpha"), b, 3))
        .containsExactly(a, b);
    assertThat(Trail.cycle(trail("alpha", "beta", "alpha"), b, 2)).containsExactly(a, b);
  }

  @Test
  void aSingleVisitBackIsNotALoop() {
    String coordinator = Trail.tag("coordinator");
    assertThat(Trail.cycle(trail("coordinator", "worker"), coordinator, 3)).isNull();
    assertThat(
            Trail.cycle(trail("coordinator", "worker", "coordinator", "reviewer"), coordinator, 3))
        .isNull();
  }

  @Test
  void longerCyclesAndSelfLoopsAreFound() {
    assertThat(Trail.cycle(trail("a", "b", "c", "a", "b", "c", "a", "b"), Trail.tag("c"), 3))
        .containsExactly(Trail.tag("a"), Trail.tag("b"), Trail.tag("c"));
    assertThat(Trail.cycle(trail("a", "a"), Trail.tag("a"), 3)).containsExactly(Trail.tag("a"));
  }

  @Test
  void theTrailKeepsTheLastTwelveAgentsInFortyEightCharacters() {
    String trail =
        trail("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13");
    assertThat(trail).hasSize(48).startsWith(Trail.tag("a2")).endsWith(Trail.tag("a13"));
    assertThat(Trail.isTrail(trail, 0, trail.length())).isTrue();
    assertThat(Trail.isTrail(trail + "0", 0, trail.length() + 1)).isFalse();
    assertThat(Trail.isTrail("00G0", 0, 4)).isFalse();
  }
}
