/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.util.List;

/**
 * One health check: a broker, a database, a backlog. Implementations need not guard against hanging
 * or throwing: the {@link HealthManager} runs each check with a timeout and turns an exception into
 * UNHEALTHY with a redacted reason.
 */
public interface HealthCheck {

  /** {@return a short stable name, unique within a manager ({@code nats}, {@code postgres})} */
  String name();

  /** {@return what the check depends on ({@code nats://host:4222}, never with credentials)} */
  default List<String> dependencies() {
    return List.of();
  }

  /**
   * Runs the check. May block; it is called on a health thread, never on a request thread.
   *
   * @return the check's outcome
   * @throws Exception when the check fails; the manager reports it UNHEALTHY with the exception's
   *     message
   */
  CheckResult check() throws Exception;
}
