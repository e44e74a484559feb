package dev.baton.demo;

import dev.baton.health.HealthCheck;
import dev.baton.propagation.Baton;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;

/** The broker the swarm runs on, and each agent's view of it. */
interface Backplane extends AutoCloseable {

  /** One line for the terminal: what broker, where. */
  String describe();

  /** The transport for one agent, instrumented by its {@code baton}. */
  Bus bus(Baton baton) throws Exception;

  /** The broker's health check. */
  HealthCheck healthCheck();

  /** One agent's transport. */
  interface Bus extends AutoCloseable {
    Publisher publisher();

    /** Publishes onto the durable path (JetStream on NATS). */
    Publisher durablePublisher();

    Subscriber subscriber();

    /** Subscribes on the durable path: redelivery after a failed handler. */
    Subscriber durableSubscriber();

    @Override
    void close();
  }
}
