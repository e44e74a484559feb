/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.transport.internal.ReadOnlyHeaders;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A received message's headers as {@link dev.baton.transport.Message#headers()}: last value per
 * name, read through the transport's getter when asked, so a handler that never looks at them costs
 * nothing. The headers of a received message do not change.
 */
final class HeaderView<H> extends ReadOnlyHeaders {

  private final @Nullable H carrier;
  private final Wire<H> getter;
  private volatile @Nullable Map<String, String> all;

  HeaderView(@Nullable H carrier, Wire<H> getter) {
    this.carrier = carrier;
    this.getter = getter;
  }

  @Override
  public @Nullable String get(Object key) {
    return key instanceof String name && carrier != null ? getter.last(carrier, name) : null;
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    Map<String, String> snapshot = all;
    if (snapshot == null) {
      Map<String, String> read = new LinkedHashMap<>();
      if (carrier != null) {
        for (String key : getter.keys(carrier)) {
          String value = getter.last(carrier, key);
          if (value != null) {
            read.put(key, value);
          }
        }
      }
      snapshot = Collections.unmodifiableMap(read);
      all = snapshot;
    }
    return snapshot.entrySet();
  }
}
