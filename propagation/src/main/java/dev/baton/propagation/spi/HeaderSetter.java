package dev.baton.propagation.spi;

/**
 * Writes message headers of one broker's header type. Implementations are stateless.
 *
 * @param <C> the broker's header type
 */
@FunctionalInterface
public interface HeaderSetter<C> {

  /** Sets header {@code key} to {@code value}, replacing every value it had: never two. */
  void set(C carrier, String key, String value);
}
