package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shipped alert rules are valid and pass their promtool unit tests. */
class PrometheusRulesTest {

  static final Path RULES = Path.of("prometheus/alerts.yml");
  static final Path RULE_TESTS = Path.of("prometheus/alerts.test.yml");

  @Test
  void theAlertRulesAreValid() throws Exception {
    String out = promtool("check", "rules", RULES.toString());

    assertThat(out).contains("SUCCESS: 7 rules found");
  }

  @Test
  void everyAlertRulePassesItsPromtoolUnitTest() throws Exception {
    String out = promtool("test", "rules", RULE_TESTS.toString());

    assertThat(out).contains("SUCCESS");
  }

  static String promtool(String... args) throws IOException, InterruptedException {
    String binary = System.getenv().getOrDefault("PROMTOOL_BIN", "promtool");
    List<String> command = new java.util.ArrayList<>(List.of(binary));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool is needed for this test: apt-get install prometheus (.ci/run does it)", e);
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    return out;
  }
}
