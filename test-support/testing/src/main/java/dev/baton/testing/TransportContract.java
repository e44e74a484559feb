/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.TraceExemplars;
import dev.baton.propagation.Baton;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scenarios every Baton transport must pass, asserted on exact span trees and on the registry.
 * A transport's test extends this and says how to open an agent's transport on its broker ({@link
 * ContractHarness}'s first block). The scenarios live by theme in {@link TraceScenarios}, {@link
 * DeliveryScenarios}, {@link WireScenarios} and {@link MetricScenarios}; this class holds what they
 * share: the in-memory OpenTelemetry, the agents a test opened (closed after it) and the test's
 * metrics.
 */
public abstract class TransportContract
    implements TraceScenarios,
        DeliveryScenarios,
        WireScenarios,
        MetricScenarios,
        ConversationScenarios,
        NamingScenarios,
        GraphScenarios {

  /** The in-memory OpenTelemetry every scenario's agents report to. */
  @RegisterExtension
  protected static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry();
  private final BackplaneMetrics metrics = BackplaneMetrics.builder().build();

  /** For a transport's contract test class. */
  protected TransportContract() {
    metrics.bindTo(registry);
  }

  @AfterEach
  void closeAgents() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    opened.clear();
  }

  @Override
  public final OpenTelemetryExtension otel() {
    return OTEL;
  }

  @Override
  public final Agent agent(String name, OpenTelemetry openTelemetry, Consumer<Baton.Builder> config)
      throws Exception {
    Baton.Builder builder = Baton.builder(openTelemetry).setAgentName(name);
    config.accept(builder);
    Agent agent = open(builder.build());
    opened.add(agent);
    return agent;
  }

  @Override
  public final PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public final BackplaneMetrics metrics() {
    return metrics;
  }
}
