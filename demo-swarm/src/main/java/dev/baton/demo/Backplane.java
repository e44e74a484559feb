/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.health.HealthCheck;
import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;

/** The broker the swarm runs on. */
interface Backplane extends AutoCloseable {

  /** One line for the terminal: what broker, where. */
  String describe();

  /** One agent's transport on this broker, instrumented by its {@code baton}. */
  Transport transport(Baton baton) throws Exception;

  /** The broker's health check. */
  HealthCheck healthCheck();
}
