/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.PrometheusTools;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped alert rules are valid and pass their promtool unit tests. */
class PrometheusRulesTest {

  static final Path RULES = Path.of("prometheus/alerts.yml");
  static final Path RULE_TESTS = Path.of("prometheus/alerts.test.yml");

  @Test
  void theAlertRulesAreValid() throws Exception {
    String out = promtool("check", "rules", RULES.toString());

    assertThat(out).contains("SUCCESS: 9 rules found");
  }

  @Test
  void everyAlertRulePassesItsPromtoolUnitTest() throws Exception {
    String out = promtool("test", "rules", RULE_TESTS.toString());

    assertThat(out).contains("SUCCESS");
  }

  static String promtool(String... args) throws IOException, InterruptedException {
    PrometheusTools.Result result = PrometheusTools.promtool(args);
    assertThat(result.ok())
        .as("promtool %s:%n%s", String.join(" ", args), result.output())
        .isTrue();
    return result.output();
  }
}
