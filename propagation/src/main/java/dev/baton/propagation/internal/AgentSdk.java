/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import dev.baton.propagation.spi.JavaAgent;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import org.slf4j.LoggerFactory;

/**
 * Not API: under the OpenTelemetry Java agent, Baton can keep the agent from recording its hops a
 * second time only when its spans are the agent's, that is when Baton reports to the agent's {@code
 * GlobalOpenTelemetry}. Otherwise it says so, once, with what to do.
 */
public final class AgentSdk {

  private static final WarnOnce WARN = new WarnOnce(LoggerFactory.getLogger(AgentSdk.class));

  private AgentSdk() {}

  /** Warns once when the agent runs and {@code openTelemetry} is not its global instance. */
  public static void check(OpenTelemetry openTelemetry) {
    if (!JavaAgent.present()) {
      return;
    }
    try {
      if (openTelemetry != GlobalOpenTelemetry.get()) {
        WARN.log(
            "not-global",
            "The OpenTelemetry Java agent is running and this Baton reports to an OpenTelemetry"
                + " of its own: the agent's jnats and kafka-clients instrumentation will record"
                + " every Baton send and receive a second time, in the agent's SDK. Build Baton"
                + " with Baton.builder(GlobalOpenTelemetry.get()) (the agent's SDK), or turn the"
                + " agent's instrumentation of these clients off with"
                + " -Dotel.instrumentation.nats.enabled=false"
                + " -Dotel.instrumentation.kafka.enabled=false");
      }
    } catch (RuntimeException | LinkageError e) {
      // Only a warning is at stake.
    }
  }
}
