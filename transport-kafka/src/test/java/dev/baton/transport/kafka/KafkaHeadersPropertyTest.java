/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.spi.Wire;
import dev.baton.testing.HeaderCarrierContract;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/** The generated extraction test through Kafka {@link Headers}. */
class KafkaHeadersPropertyTest extends HeaderCarrierContract<@Nullable Headers> {

  @Override
  protected Headers carrier(Map<String, List<String>> headers) {
    RecordHeaders carrier = new RecordHeaders();
    headers.forEach(
        (key, values) -> {
          for (String value : values) {
            carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
          }
        });
    return carrier;
  }

  @Override
  protected Wire<@Nullable Headers> wire() {
    return KafkaWire.INSTANCE;
  }
}
