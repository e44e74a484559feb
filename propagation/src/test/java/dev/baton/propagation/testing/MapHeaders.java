package dev.baton.propagation.testing;

import dev.baton.propagation.HeaderGetter;
import dev.baton.propagation.HeaderSetter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A multi-valued header map with its getter and setter, for engine tests. */
public final class MapHeaders {

  public static final HeaderGetter<Map<String, List<String>>> GETTER =
      new HeaderGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, List<String>> carrier) {
          return carrier.keySet();
        }

        @Override
        public List<String> getAll(Map<String, List<String>> carrier, String key) {
          return carrier.getOrDefault(key, List.of());
        }
      };

  public static final HeaderSetter<Map<String, List<String>>> SETTER =
      (carrier, key, value) -> {
        List<String> values = new ArrayList<>();
        values.add(value);
        carrier.put(key, values);
      };

  private MapHeaders() {}

  /** A mutable map from alternating names and values; a repeated name adds a value. */
  public static Map<String, List<String>> of(String... namesAndValues) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      map.computeIfAbsent(namesAndValues[i], k -> new ArrayList<>()).add(namesAndValues[i + 1]);
    }
    return map;
  }
}
