/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The demo swarm: five agents (coordinator, researcher, coder, reviewer, summarizer) handing tasks
 * to each other over NATS or Kafka, written the way Baton tells users to write theirs. Run {@link
 * dev.baton.demo.SwarmMain} with {@code --help}.
 */
@NullMarked
package dev.baton.demo;

import org.jspecify.annotations.NullMarked;
