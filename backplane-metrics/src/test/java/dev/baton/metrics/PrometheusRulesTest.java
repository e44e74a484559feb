/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.PrometheusTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped alert rules are valid, pass their promtool unit tests and each has a runbook. */
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

  /**
   * Each rule links its runbook entry in docs/operations.md, and the entry has its four parts, the
   * first of them a query promtool accepts.
   */
  @Test
  void everyAlertRuleHasARunbookWhoseFirstQueryIsValid(@TempDir Path dir) throws Exception {
    String rules = Files.readString(RULES);
    String runbooks = Files.readString(Path.of("../docs/operations.md"));
    Matcher alert = Pattern.compile("- alert: (\\w+)").matcher(rules);
    List<String> queries = new ArrayList<>();
    int alerts = 0;
    while (alert.find()) {
      alerts++;
      String name = alert.group(1);
      assertThat(rules)
          .contains(
              "runbook_url: \"https://github.com/baton-dev/baton/blob/main/docs/operations.md#"
                  + name.toLowerCase(Locale.ROOT)
                  + "\"");
      int start = runbooks.indexOf("\n## " + name + "\n");
      assertThat(start).as("docs/operations.md has a runbook for %s", name).isPositive();
      int end = runbooks.indexOf("\n## ", start + 1);
      String entry = runbooks.substring(start, end < 0 ? runbooks.length() : end);
      assertThat(entry)
          .as("%s's runbook", name)
          .contains(
              "**What it means.**", "**First query.**", "**Likely causes.**", "**What to do.**");
      // The block marked for this rule (DocBlocksTest requires the marker on every block).
      Matcher query =
          Pattern.compile(
                  "<!-- checked by PrometheusRulesTest: "
                      + Pattern.quote("query-" + name.toLowerCase(Locale.ROOT))
                      + " -->\n```promql\n(.*?)\n```",
                  Pattern.DOTALL)
              .matcher(entry);
      assertThat(query.find()).as("%s's first query", name).isTrue();
      queries.add(query.group(1).strip());
    }
    assertThat(alerts).isEqualTo(9);
    StringBuilder asRules = new StringBuilder("groups:\n  - name: runbooks\n    rules:\n");
    for (int i = 0; i < queries.size(); i++) {
      asRules
          .append("      - record: runbook_query_")
          .append(i)
          .append("\n        expr: '")
          .append(queries.get(i).replace("'", "''"))
          .append("'\n");
    }
    Path file = dir.resolve("runbook-queries.yml");
    Files.writeString(file, asRules.toString());
    assertThat(promtool("check", "rules", file.toString()))
        .contains("SUCCESS: " + queries.size() + " rules found");
  }

  static String promtool(String... args) throws IOException, InterruptedException {
    PrometheusTools.Result result = PrometheusTools.promtool(args);
    assertThat(result.ok())
        .as("promtool %s:%n%s", String.join(" ", args), result.output())
        .isTrue();
    return result.output();
  }
}
