/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import dev.baton.propagation.spi.Wire;
import dev.baton.testing.HeaderCarrierContract;
import dev.baton.testing.MapHeaders;
import java.util.List;
import java.util.Map;

/** The generated extraction test on a plain multi-valued map. */
class HostileHeadersPropertyTest extends HeaderCarrierContract<Map<String, List<String>>> {

  @Override
  protected Map<String, List<String>> carrier(Map<String, List<String>> headers) {
    return headers;
  }

  @Override
  protected Wire<Map<String, List<String>>> wire() {
    return MapHeaders.WIRE;
  }
}
