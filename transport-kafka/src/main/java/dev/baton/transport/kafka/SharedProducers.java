/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producers Baton creates, one per distinct configuration in the process: a hundred agents
 * built from the same settings send through one producer (one I/O thread, one set of buffers and
 * connections), as Kafka advises for a process. A transactional producer is never shared (its
 * transactions belong to one agent). Each agent holds a lease; the producer closes with the last.
 * Thread-safe.
 */
final class SharedProducers {

  private static final Map<Map<String, Object>, Shared> PRODUCERS = new HashMap<>();

  private SharedProducers() {}

  /** One agent's hold on a producer. */
  interface Lease {
    Producer<String, byte[]> producer();

    /**
     * Lets go: the last holder closes the producer (waiting up to {@code timeout} for records in
     * flight); the others flush it, so this agent's records are delivered before it is gone.
     */
    void release(Duration timeout);
  }

  private static final class Shared {
    final Producer<String, byte[]> producer;
    int holders;

    Shared(Producer<String, byte[]> producer) {
      this.producer = producer;
    }
  }

  /** A lease on the producer for {@code config}, created on first use. */
  static Lease acquire(Map<String, Object> config) {
    if (config.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
      Producer<String, byte[]> own = create(config);
      return new Lease() {
        @Override
        public Producer<String, byte[]> producer() {
          return own;
        }

        @Override
        public void release(Duration timeout) {
          own.close(timeout);
        }
      };
    }
    Map<String, Object> key = new HashMap<>(config);
    Shared shared;
    synchronized (PRODUCERS) {
      shared = PRODUCERS.get(key);
      if (shared == null) {
        shared = new Shared(create(config));
        PRODUCERS.put(key, shared);
      }
      shared.holders++;
    }
    Shared held = shared;
    return new Lease() {
      private boolean released;

      @Override
      public Producer<String, byte[]> producer() {
        return held.producer;
      }

      @Override
      public void release(Duration timeout) {
        boolean last;
        synchronized (PRODUCERS) {
          if (released) {
            return;
          }
          released = true;
          last = --held.holders == 0;
          if (last) {
            PRODUCERS.remove(key, held);
          }
        }
        if (last) {
          held.producer.close(timeout);
        } else {
          held.producer.flush();
        }
      }
    };
  }

  private static Producer<String, byte[]> create(Map<String, Object> config) {
    return new KafkaProducer<>(
        new HashMap<>(config), new StringSerializer(), new ByteArraySerializer());
  }
}
