/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.Wire;
import dev.baton.testing.HeaderCarrierContract;
import io.nats.client.impl.Headers;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The generated extraction test through jnats {@link Headers}. */
class NatsHeadersPropertyTest extends HeaderCarrierContract<@Nullable Headers> {

  @Override
  protected Headers carrier(Map<String, List<String>> headers) {
    Headers carrier = new Headers();
    headers.forEach(
        (key, values) -> {
          for (String value : values) {
            try {
              carrier.add(key, value);
            } catch (IllegalArgumentException e) {
              // jnats refuses it (CR/LF, non-ASCII): it can never arrive over NATS
            }
          }
        });
    return carrier;
  }

  @Override
  protected Wire<@Nullable Headers> wire() {
    return new NatsWire(null);
  }
}
