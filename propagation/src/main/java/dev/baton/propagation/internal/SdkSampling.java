/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Not API: what the engine may know in advance about the application's sampler. The SDK builds a
 * span for every hop, even one its sampler drops (a builder, a new span id, a span context: about
 * 200 B a message), and the OpenTelemetry API has no way to ask first. When the application's
 * {@code OpenTelemetry} is the SDK and its sampler is one of the SDK's own that drop every child of
 * an unsampled parent, remote or local (the default {@code parentBased(...)}, or {@code
 * alwaysOff()}), the engine skips that span where its parent was not sampled: on a delivery whose
 * sender was not sampled (the sender's context is current in the handler) and on a send whose
 * caller's context was not sampled (the message carries the caller's context). Nothing is recorded,
 * as the sampler would have decided. Any other sampler, a custom one, or no SDK on the class path
 * (the Java agent's OpenTelemetry): the span is built as usual.
 */
public final class SdkSampling {

  private SdkSampling() {}

  /**
   * Whether {@code openTelemetry}'s sampler is known to drop every child of an unsampled parent.
   */
  public static boolean dropsUnsampledChildren(OpenTelemetry openTelemetry) {
    try {
      return Sdk.dropsUnsampledChildren(openTelemetry);
    } catch (LinkageError e) {
      // No OpenTelemetry SDK on the class path: nothing is known.
      return false;
    }
  }

  /** Every reference to the SDK, in a class of its own: loaded only when the SDK is there. */
  static final class Sdk {
    private Sdk() {}

    static boolean dropsUnsampledChildren(OpenTelemetry openTelemetry) {
      return openTelemetry instanceof OpenTelemetrySdk sdk
          && drops(sdk.getSdkTracerProvider().getSampler());
    }

    /**
     * Whether {@code sampler} is {@code alwaysOff()} or the SDK's parent-based sampler whose
     * decisions for an unsampled parent, remote and local, are both {@code alwaysOff()} (read from
     * its description, which the SDK builds from its parts).
     */
    static boolean drops(Sampler sampler) {
      if (sampler == Sampler.alwaysOff()) {
        return true;
      }
      String off = Sampler.alwaysOff().getDescription();
      String description = sampler.getDescription();
      return description.startsWith("ParentBased{")
          && description.contains(",remoteParentNotSampled:" + off + ",")
          && description.contains(",localParentNotSampled:" + off + "}");
    }
  }
}
