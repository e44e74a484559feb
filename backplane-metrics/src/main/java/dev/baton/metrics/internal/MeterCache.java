package dev.baton.metrics.internal;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Not API: meters (or state holders) by up to five label values, looked up without allocating: a
 * thread-local probe key is filled and looked up; a key object is allocated only the first time a
 * combination is seen. Thread-safe.
 */
public abstract class MeterCache<M> {

  private final ConcurrentHashMap<Key, M> meters = new ConcurrentHashMap<>();
  private final ThreadLocal<Key> probe = ThreadLocal.withInitial(Key::new);

  /**
   * The meter for these values, or {@code null} the first time. Allocation-free: call {@link
   * #create} only when this returns {@code null}, so the (capturing) factory is not even built on
   * the hot path.
   */
  public @Nullable M find(String a, String b, String c, String d, String e) {
    return meters.get(probe.get().set(a, b, c, d, e));
  }

  /** The meter for these values, created by {@code create} if it does not exist yet. */
  public M create(String a, String b, String c, String d, String e, Function<Key, M> create) {
    return meters.computeIfAbsent(new Key().set(a, b, c, d, e), create);
  }

  /** Makes the meter for a key seen for the first time. */
  protected abstract M create(Object registry, Key key);

  /**
   * The meter for these values, made by {@link #create} the first time; allocation-free after that.
   */
  public M get(Object registry, String a, String b, String c, String d, String e) {
    M meter = find(a, b, c, d, e);
    return meter != null ? meter : create(a, b, c, d, e, k -> create(registry, k));
  }

  /** Every meter so far with its label values. */
  public void forEach(java.util.function.BiConsumer<Key, M> action) {
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

  /** Five label values. */
  public static final class Key {
    public String a = "";
    public String b = "";
    public String c = "";
    public String d = "";
    public String e = "";
    private int hash;

    Key set(String a, String b, String c, String d, String e) {
      this.a = a;
      this.b = b;
      this.c = c;
      this.d = d;
      this.e = e;
      int h = a.hashCode();
      h = 31 * h + b.hashCode();
      h = 31 * h + c.hashCode();
      h = 31 * h + d.hashCode();
      this.hash = 31 * h + e.hashCode();
      return this;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && hash == k.hash
          && a.equals(k.a)
          && b.equals(k.b)
          && c.equals(k.c)
          && d.equals(k.d)
          && e.equals(k.e);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return Objects.toString(a) + "/" + b + "/" + c + "/" + d + "/" + e;
    }
  }
}
