/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.DocBlock;
import dev.baton.testing.NatsServerExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The responses docs/health.md shows are what the endpoints answer: {@link HealthExample} runs on a
 * real nats-server and the machine's PostgreSQL; each block's request is one it made, and its JSON
 * has the shape of the answer (the same keys, kinds of value and masked strings).
 */
class HealthExampleTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Test
  void theHealthPageShowsWhatTheEndpointsAnswer() throws Exception {
    Map<String, String> answers =
        HealthExample.run(NATS.url(), "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    for (String id :
        List.of("health", "ready", "live", "started", "agent", "health-json", "unknown-agent")) {
      DocBlock block = DocBlock.of(Path.of("../docs/health.md"), id);
      String request = block.lines().get(0);
      assertThat(answers).as("the page's request of block %s", id).containsKey(request);
      block.from(1).isJsonShapedLike(answers.get(request));
    }
  }
}
