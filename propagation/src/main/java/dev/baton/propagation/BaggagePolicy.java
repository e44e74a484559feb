/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import dev.baton.propagation.internal.BaggageCodec;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which baggage leaves the process, and how much. Immutable and thread-safe.
 *
 * <p>Incoming baggage is always held to the W3C limits (64 members, 8192 bytes): the excess is
 * dropped and reported. Outgoing baggage is limited by {@link #maxMembers()}, by an optional
 * allow-list of keys and by a header byte budget; whole members are left off, never truncated.
 * Baggage values are never logged.
 */
public final class BaggagePolicy {

  private static final BaggagePolicy DEFAULT =
      new BaggagePolicy(BaggageCodec.MAX_MEMBERS, BaggageCodec.MAX_BYTES, null);

  private final int maxMembers;
  private final int maxBytes;
  private final @Nullable Set<String> allowedKeys;

  private BaggagePolicy(int maxMembers, int maxBytes, @Nullable Set<String> allowedKeys) {
    this.maxMembers = maxMembers;
    this.maxBytes = maxBytes;
    this.allowedKeys = allowedKeys;
  }

  /** {@return the default policy: every key may leave, within the W3C limits} */
  public static BaggagePolicy defaults() {
    return DEFAULT;
  }

  /** {@return a builder starting from {@link #defaults()}} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the most members sent on one message} */
  public int maxMembers() {
    return maxMembers;
  }

  /** {@return the byte budget of the {@code baggage} header on one message} */
  public int maxBytes() {
    return maxBytes;
  }

  /**
   * {@return whether baggage {@code key} may leave the process}
   *
   * @param key a baggage key
   */
  public boolean allows(String key) {
    return allowedKeys == null || allowedKeys.contains(key);
  }

  /** Builds a {@link BaggagePolicy}. Not thread-safe. */
  public static final class Builder {
    private int maxMembers = BaggageCodec.MAX_MEMBERS;
    private int maxBytes = BaggageCodec.MAX_BYTES;
    private @Nullable Set<String> allowedKeys;

    Builder() {}

    /**
     * At most this many members per message, 1 to 64.
     *
     * @param maxMembers the most members per message
     * @return this builder
     */
    public Builder setMaxMembers(int maxMembers) {
      this.maxMembers = maxMembers;
      return this;
    }

    /**
     * The {@code baggage} header's byte budget, 1 to 8192. On NATS headers count against the
     * server's max payload: lower it when messages are large.
     *
     * @param maxBytes the header's byte budget
     * @return this builder
     */
    public Builder setMaxBytes(int maxBytes) {
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * Only these keys may leave the process (call again to add more).
     *
     * @param keys the keys that may leave
     * @return this builder
     */
    public Builder addAllowedKeys(Collection<String> keys) {
      Objects.requireNonNull(keys, "keys");
      if (allowedKeys == null) {
        allowedKeys = new LinkedHashSet<>();
      }
      for (String key : keys) {
        allowedKeys.add(Objects.requireNonNull(key, "key"));
      }
      return this;
    }

    /**
     * Builds the policy; throws {@link IllegalArgumentException} on a value out of range.
     *
     * @return the policy
     */
    public BaggagePolicy build() {
      if (maxMembers < 1 || maxMembers > BaggageCodec.MAX_MEMBERS) {
        throw new IllegalArgumentException(
            "maxMembers must be 1 to " + BaggageCodec.MAX_MEMBERS + ", was " + maxMembers);
      }
      if (maxBytes < 1 || maxBytes > BaggageCodec.MAX_BYTES) {
        throw new IllegalArgumentException(
            "maxBytes must be 1 to " + BaggageCodec.MAX_BYTES + ", was " + maxBytes);
      }
      return new BaggagePolicy(
          maxMembers, maxBytes, allowedKeys == null ? null : Set.copyOf(allowedKeys));
    }
  }
}
