/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.BatonHeaders;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;

/**
 * A header Baton writes on an outgoing record: the value as given, the key a constant of the class
 * for the two every send carries ({@code traceparent} and Baton's header: 16 B each, where Kafka's
 * {@code RecordHeader} takes 32 with its unused buffers). Never changes. Equal to another of these
 * with the same key and value bytes, hashed as Kafka's {@code RecordHeader}.
 */
abstract class OutgoingHeader implements Header {

  private final byte[] value;

  private OutgoingHeader(byte[] value) {
    this.value = value;
  }

  /** The header {@code key: value}, {@code value} not copied (the caller no longer touches it). */
  static Header of(String key, byte[] value) {
    return switch (key) {
      case BatonHeaders.TRACEPARENT -> new Traceparent(value);
      case BatonHeaders.BATON -> new Baton(value);
      default -> new Keyed(key, value);
    };
  }

  @Override
  public byte[] value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutgoingHeader other
        && key().equals(other.key())
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * key().hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    // As RecordHeader's, but never the value: it may carry user data.
    return "RecordHeader(key = " + key() + ", " + value.length + " bytes)";
  }

  private static final class Traceparent extends OutgoingHeader {
    Traceparent(byte[] value) {
      super(value);
    }

    @Override
    public String key() {
      return BatonHeaders.TRACEPARENT;
    }
  }

  private static final class Baton extends OutgoingHeader {
    Baton(byte[] value) {
      super(value);
    }

    @Override
    public String key() {
      return BatonHeaders.BATON;
    }
  }

  private static final class Keyed extends OutgoingHeader {
    private final String key;

    Keyed(String key, byte[] value) {
      super(value);
      this.key = key;
    }

    @Override
    public String key() {
      return key;
    }
  }
}
