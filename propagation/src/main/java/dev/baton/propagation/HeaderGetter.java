package dev.baton.propagation;

import java.util.List;

/**
 * Reads message headers of one broker's header type. Implementations are stateless and accept a
 * {@code null} carrier (a message without headers) as empty.
 *
 * @param <C> the broker's header type
 */
public interface HeaderGetter<C> {

  /** The header names present, each once. */
  Iterable<String> keys(C carrier);

  /** Every value of header {@code key} in the order they appear; empty when absent. */
  List<String> getAll(C carrier, String key);
}
