/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.Baton;
import dev.baton.transport.internal.DestinationPattern;
import io.opentelemetry.api.OpenTelemetry;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanNamingTest {

  @Test
  void theOptInIsReadAsOpenTelemetrysOwnInstrumentationReadsIt() {
    assertThat(SpanNaming.optsInToGenAi("gen_ai_latest_experimental")).isTrue();
    assertThat(SpanNaming.optsInToGenAi("http, gen_ai_latest_experimental ,database")).isTrue();
    assertThat(SpanNaming.optsInToGenAi(null)).isFalse();
    assertThat(SpanNaming.optsInToGenAi("")).isFalse();
    assertThat(SpanNaming.optsInToGenAi("http,database")).isFalse();
    assertThat(SpanNaming.optsInToGenAi("gen_ai_latest_experimental_v2")).isFalse();
    assertThat(SpanNaming.optsInToGenAi("gen_ai")).isFalse();
  }

  @Test
  void theFirstMatchingPatternNamesADestination() {
    SpanNaming naming =
        new SpanNaming(
            List.of(
                DestinationPattern.parse("agents.task.*"), DestinationPattern.parse("agents.>")),
            100,
            false);

    assertThat(naming.patternOf("agents.task.17")).isEqualTo("agents.task.*");
    assertThat(naming.patternOf("agents.task.17.retry")).isEqualTo("agents.>");
    assertThat(naming.patternOf("billing.task.17")).isNull();
  }

  @Test
  void aBatonSaysWhatIsWrongWithItsNamingSettings() {
    Baton.Builder builder = Baton.builder(OpenTelemetry.noop());
    assertThatThrownBy(() -> builder.addSpanNamePattern("agents.>.x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'>' may only be the last token");
    assertThatThrownBy(() -> Baton.builder(OpenTelemetry.noop()).setSpanNameLimit(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spanNameLimit must be 0 or more");
    assertThat(Baton.builder(OpenTelemetry.noop()).setGenAiSpans(true).build().genAiSpans())
        .isTrue();
    assertThat(Baton.builder(OpenTelemetry.noop()).setGenAiSpans(false).build().genAiSpans())
        .isFalse();
    // Without the setting, the environment decides (the build does not set the variable).
    assertThat(Baton.builder(OpenTelemetry.noop()).build().genAiSpans())
        .isEqualTo(SpanNaming.optsInToGenAi(System.getenv(SpanNaming.OPT_IN_VARIABLE)));
  }
}
