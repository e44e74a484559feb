/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import dev.baton.propagation.spi.Wire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A multi-valued header map as a {@link Wire}, for engine tests; messaging system {@code test}. */
public final class MapHeaders extends Wire<Map<String, List<String>>> {

  /** The wire with no baggage room limit. */
  public static final MapHeaders WIRE = new MapHeaders(-1);

  /** Where an id that cannot ride in Baton's header travels. */
  public static final String ID_HEADER = "message-id";

  private final int baggageRoom;

  private MapHeaders(int baggageRoom) {
    super("test", ID_HEADER);
    this.baggageRoom = baggageRoom;
  }

  /**
   * {@return a wire that leaves {@code bytes} for the baggage header}
   *
   * @param bytes the room for baggage, in bytes
   */
  public static MapHeaders withBaggageRoom(int bytes) {
    return new MapHeaders(bytes);
  }

  @Override
  public Map<String, List<String>> newHeaders() {
    return new LinkedHashMap<>();
  }

  @Override
  public int baggageRoom(Map<String, List<String>> headers, int payloadBytes) {
    return baggageRoom;
  }

  @Override
  public Iterable<String> keys(@Nullable Map<String, List<String>> carrier) {
    return carrier == null ? List.of() : carrier.keySet();
  }

  @Override
  public List<String> getAll(@Nullable Map<String, List<String>> carrier, String key) {
    return carrier == null ? List.of() : carrier.getOrDefault(key, List.of());
  }

  @Override
  public void set(Map<String, List<String>> carrier, String key, String value) {
    List<String> values = new ArrayList<>();
    values.add(value);
    carrier.put(key, values);
  }

  /**
   * {@return a mutable map from alternating names and values; a repeated name adds a value}
   *
   * @param namesAndValues names and values, alternating
   */
  public static Map<String, List<String>> of(String... namesAndValues) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      map.computeIfAbsent(namesAndValues[i], k -> new ArrayList<>()).add(namesAndValues[i + 1]);
    }
    return map;
  }
}
