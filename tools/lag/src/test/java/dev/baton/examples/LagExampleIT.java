/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import dev.baton.testing.DocBlock;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The session docs/baton-lag.md shows ("lag-session") is what {@link LagExample} prints: the jar
 * (after {@code package}, hence a failsafe test) on a nats-server and a Kafka broker of its own,
 * each line of the page a line of this run once figures, ports and ids are masked.
 */
class LagExampleIT {

  @Test
  void thePageShowsWhatARunPrints() throws Exception {
    String printed = LagExample.run(new File("target/baton-lag.jar"));
    DocBlock.of(Path.of("../../docs/baton-lag.md"), "lag-session").isShapedLike(printed);
  }
}
