/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.Baton;
import dev.baton.propagation.internal.BatonAccess;
import dev.baton.propagation.internal.Listeners;
import dev.baton.propagation.internal.SpanNaming;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.junit.jupiter.api.Test;

/** The hook through which the engine reaches a Baton's tracer and listeners is not agent API. */
class EngineHookTest {

  @Test
  void codeOutsideBatonCanNeitherReplaceTheHookNorReadABatonsParts() {
    Baton baton = Baton.builder(OpenTelemetry.noop()).setAgentName("hooked").build();
    BatonAccess.Parts impostor =
        new BatonAccess.Parts() {
          @Override
          public Tracer tracer(Baton b) {
            return OpenTelemetry.noop().getTracer("impostor");
          }

          @Override
          public Listeners listeners(Baton b) {
            throw new AssertionError("never asked");
          }

          @Override
          public TextMapPropagator propagator(Baton b) {
            return TextMapPropagator.noop();
          }

          @Override
          public boolean dropsUnsampledChildren(Baton b) {
            return true;
          }

          @Override
          public SpanNaming naming(Baton b) {
            throw new AssertionError("never asked");
          }
        };

    assertThatThrownBy(() -> BatonAccess.install(impostor))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("only Baton installs its parts, once");
    assertThatThrownBy(BatonAccess::parts)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("Baton's parts are for its engine alone");
    assertThat(baton.agentName()).isEqualTo("hooked");
  }
}
