/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import org.junit.jupiter.api.Tag;

/**
 * The header property at scale: 1,000,000 generated header sets through the transport's own header
 * type. Tagged {@code fuzz}: not in the default build; run it with {@code
 * test-support/testing/fuzz}.
 */
@Tag("fuzz")
class KafkaHeadersFuzz extends KafkaHeadersPropertyTest {

  @Override
  protected int tries() {
    return Integer.getInteger(TRIES, 1_000_000);
  }
}
