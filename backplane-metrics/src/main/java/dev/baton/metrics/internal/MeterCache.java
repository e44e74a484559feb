/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics.internal;

import io.micrometer.core.instrument.Tags;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Not API: the meters (or state holders) of one family, by the values of its labels (up to five,
 * named when the cache is made), looked up without allocating: a thread-local probe key is filled
 * and looked up; a key object is allocated only the first time a combination is seen. Callers pass
 * the values in the order the labels were named, and {@code ""} for the positions past the last
 * label. Thread-safe.
 */
public abstract class MeterCache<M> {

  private static final int MAX_LABELS = 5;

  private final List<String> labels;
  private final ConcurrentHashMap<Key, M> meters = new ConcurrentHashMap<>();
  private final ThreadLocal<Key> probe = ThreadLocal.withInitial(Key::new);

  /** A cache for the family whose labels are {@code labels}, in the order callers pass values. */
  protected MeterCache(String... labels) {
    if (labels.length > MAX_LABELS) {
      throw new IllegalArgumentException("at most " + MAX_LABELS + " labels: " + List.of(labels));
    }
    this.labels = List.of(labels);
  }

  /**
   * The meter for these values, or {@code null} the first time. Allocation-free: call {@link
   * #create} only when this returns {@code null}, so the (capturing) factory is not even built on
   * the hot path.
   */
  public @Nullable M find(String v1, String v2, String v3, String v4, String v5) {
    return meters.get(probe.get().set(v1, v2, v3, v4, v5));
  }

  /** The meter for these values, created by {@code create} if it does not exist yet. */
  public M create(String v1, String v2, String v3, String v4, String v5, Function<Key, M> create) {
    return meters.computeIfAbsent(new Key().set(v1, v2, v3, v4, v5), create);
  }

  /** Makes the meter for a key seen for the first time. */
  protected abstract M create(Object registry, Key key);

  /**
   * The meter for these values, made by {@link #create} the first time; allocation-free after that.
   */
  public M get(Object registry, String v1, String v2, String v3, String v4, String v5) {
    M meter = find(v1, v2, v3, v4, v5);
    return meter != null ? meter : create(v1, v2, v3, v4, v5, k -> create(registry, k));
  }

  /** Every meter so far with its label values. */
  public void forEach(BiConsumer<Key, M> action) {
    meters.forEach(action);
  }

  /** Every meter so far. */
  public Iterable<M> values() {
    return meters.values();
  }

  /** Forgets every meter. */
  public void clear() {
    meters.clear();
  }

  /** One combination of label values. */
  public final class Key {
    private final String[] values = {"", "", "", "", ""};
    private int hash;

    Key set(String v1, String v2, String v3, String v4, String v5) {
      values[0] = v1;
      values[1] = v2;
      values[2] = v3;
      values[3] = v4;
      values[4] = v5;
      hash = Arrays.hashCode(values);
      return this;
    }

    /** The value of {@code label}, one of the labels the cache was made with. */
    public String value(String label) {
      int index = labels.indexOf(label);
      if (index < 0) {
        throw new IllegalArgumentException("no label " + label + " in " + labels);
      }
      return values[index];
    }

    /** Every label with its value, in the order the cache names them. */
    public Tags tags() {
      Tags tags = Tags.empty();
      for (int i = 0; i < labels.size(); i++) {
        tags = tags.and(labels.get(i), values[i]);
      }
      return tags;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MeterCache<?>.Key k && hash == k.hash && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return tags().toString();
    }
  }
}
