/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.junit.jupiter.api.Test;

/** Which samplers the engine may skip an unsampled hop's span for: only those known to drop it. */
class SdkSamplingTest {

  @Test
  void theSdksParentBasedSamplersAndAlwaysOffDropChildrenOfUnsampledParents() {
    assertThat(SdkSampling.Sdk.drops(Sampler.parentBased(Sampler.alwaysOn()))).isTrue();
    assertThat(SdkSampling.Sdk.drops(Sampler.parentBased(Sampler.traceIdRatioBased(0.01))))
        .isTrue();
    assertThat(SdkSampling.Sdk.drops(Sampler.alwaysOff())).isTrue();
  }

  @Test
  void samplersThatMayRecordAChildOfAnUnsampledParentAreNotSkipped() {
    assertThat(SdkSampling.Sdk.drops(Sampler.alwaysOn())).isFalse();
    assertThat(SdkSampling.Sdk.drops(Sampler.traceIdRatioBased(0.01))).isFalse();
    assertThat(
            SdkSampling.Sdk.drops(
                Sampler.parentBasedBuilder(Sampler.alwaysOn())
                    .setRemoteParentNotSampled(Sampler.alwaysOn())
                    .build()))
        .isFalse();
    assertThat(
            SdkSampling.Sdk.drops(
                Sampler.parentBasedBuilder(Sampler.alwaysOn())
                    .setLocalParentNotSampled(Sampler.traceIdRatioBased(0.5))
                    .build()))
        .isFalse();
  }

  @Test
  void onlyTheSdkIsRead() {
    assertThat(SdkSampling.dropsUnsampledChildren(OpenTelemetry.noop())).isFalse();
    try (OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build())
            .build()) {
      assertThat(SdkSampling.dropsUnsampledChildren(sdk)).isFalse();
    }
    try (OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build()) {
      assertThat(SdkSampling.dropsUnsampledChildren(sdk)).as("the SDK's default sampler").isTrue();
    }
  }
}
