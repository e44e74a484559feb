package dev.baton.propagation.spi;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads message headers of one broker's header type. Implementations are stateless and accept a
 * {@code null} carrier (a message without headers) as empty. Override {@link #last} and {@link
 * #repeated} where the broker's type answers them without building a list: the engine asks them on
 * every delivery.
 *
 * @param <C> the broker's header type
 */
public interface HeaderGetter<C> {

  /** The header names present, each once. */
  Iterable<String> keys(@Nullable C carrier);

  /** Every value of header {@code key} in the order they appear; empty when absent. */
  List<String> getAll(@Nullable C carrier, String key);

  /** The last value of header {@code key}, or {@code null} when absent. */
  default @Nullable String last(@Nullable C carrier, String key) {
    List<String> values = getAll(carrier, key);
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  /** Whether header {@code key} appears more than once. */
  default boolean repeated(@Nullable C carrier, String key) {
    return getAll(carrier, key).size() > 1;
  }
}
