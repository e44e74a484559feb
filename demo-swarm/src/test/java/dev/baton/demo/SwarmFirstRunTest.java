/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.DocBlock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A newcomer's first command, {@code SwarmMain} with no broker given: it starts the embedded Kafka
 * broker, runs the tasks and prints what docs/demo.md shows ("first-run"): every line of the page
 * is a line of this run once figures, ports and ids are masked.
 */
class SwarmFirstRunTest {

  @Test
  void theFirstRunPrintsWhatThePageShows() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        SwarmMain.run(
            List.of("--port", "0", "--tasks", "3", "--rate", "5", "--failure-rate", "0"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
    DocBlock.of(Path.of("../docs/demo.md"), "first-run").isShapedLike(printed);
  }
}
