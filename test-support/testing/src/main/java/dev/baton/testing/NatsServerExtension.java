/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import dev.baton.launchers.NatsServer;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code nats-server} with JetStream for a test class (a {@link NatsServer}): started before
 * the class's first test on random ports, stopped by its PID after the last. It can be killed and
 * restarted on the same ports and store.
 *
 * <p>Use as {@code @RegisterExtension static final NatsServerExtension NATS = new
 * NatsServerExtension();}. Never touches the machine's own NATS service.
 */
public final class NatsServerExtension implements BeforeAllCallback, AfterAllCallback {

  private @Nullable NatsServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = NatsServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** {@return the running server} */
  public NatsServer server() {
    if (server == null) {
      throw new IllegalStateException("the server starts before the test class's first test");
    }
    return server;
  }

  /** {@return the client URL, {@code nats://127.0.0.1:PORT}} */
  public String url() {
    return server().url();
  }

  /** {@return the temporary directory holding the store and the log} */
  public Path directory() {
    return server().directory();
  }

  /** {@return the server's PID, or -1 when it is not running} */
  public long pid() {
    return server().pid();
  }

  /**
   * Kills the server with {@code SIGKILL} and waits until it is gone.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void kill() throws InterruptedException {
    server().kill();
  }

  /**
   * Starts the server again on the same ports and store directory and waits until healthy.
   *
   * @throws Exception when the server does not start or get healthy in time
   */
  public void restart() throws Exception {
    server().restart();
  }
}
