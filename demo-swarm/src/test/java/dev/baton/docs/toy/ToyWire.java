/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.docs.toy;

import dev.baton.propagation.spi.Wire;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

// spotless:off
// docs example: start
/** The toy broker's headers as Baton reads and writes them: one string value per name. */
final class ToyWire extends Wire<Map<String, Object>> {
  ToyWire() { super("toy", "message-id"); }                // messaging.system, the broker's id header
  @Override public Iterable<String> keys(@Nullable Map<String, Object> h) {
    return h == null ? List.of() : h.keySet();
  }
  @Override public List<String> getAll(@Nullable Map<String, Object> h, String key) {
    Object value = h == null ? null : h.get(key);
    return value == null ? List.of() : List.of(value.toString());
  }
  @Override public void set(Map<String, Object> h, String key, String value) {
    h.put(key, value);                                     // replace, never add a second
  }
  @Override public Map<String, Object> newHeaders() { return new HashMap<>(); }
}
// docs example: end
// spotless:on
