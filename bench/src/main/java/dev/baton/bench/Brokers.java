package dev.baton.bench;

import dev.baton.transport.kafka.KafkaBroker;
import dev.baton.transport.nats.NatsServerExtension;

/** The brokers the benchmarks start for themselves: the same launchers the tests use. */
final class Brokers {

  private Brokers() {}

  /** A nats-server with JetStream on random ports in a temporary directory. */
  static NatsServerExtension nats() throws Exception {
    NatsServerExtension server = new NatsServerExtension();
    server.beforeAll(null);
    return server;
  }

  static void stop(NatsServerExtension server) throws Exception {
    if (server != null) {
      server.afterAll(null);
    }
  }

  /** A KRaft broker in a child JVM on random ports. */
  static KafkaBroker kafka() throws Exception {
    return KafkaBroker.start();
  }
}
