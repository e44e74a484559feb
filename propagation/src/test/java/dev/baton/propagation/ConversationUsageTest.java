/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.junit.jupiter.api.Test;

class ConversationUsageTest {

  private static Tracer tracer(Sampler sampler) {
    return SdkTracerProvider.builder()
        .setSampler(sampler)
        .addSpanProcessor(ConversationUsage.create())
        .build()
        .get("llm-client");
  }

  private static void llmCall(Tracer tracer, long in, long out) {
    Span call =
        tracer
            .spanBuilder("chat gpt-5")
            .setAttribute("gen_ai.usage.input_tokens", in)
            .setAttribute("gen_ai.usage.output_tokens", out)
            .startSpan();
    call.end();
  }

  @Test
  void tokensOfLlmSpansEndedInsideAConversationAreAddedToIt() {
    Tracer tracer = tracer(Sampler.alwaysOn());
    Context conversation = Conversation.begin("c-usage");
    try (Scope ignored = conversation.makeCurrent()) {
      Span handler = tracer.spanBuilder("process tasks").startSpan();
      try (Scope inHandler = handler.makeCurrent()) {
        llmCall(tracer, 1200, 340);
        llmCall(tracer, 30, 7); // nested deeper is the same conversation
      } finally {
        handler.end();
      }
    }
    llmCall(tracer, 999, 999); // outside: counted nowhere

    Conversation c = Conversation.fromContext(conversation);
    assertThat(c.inputTokens()).isEqualTo(1230);
    assertThat(c.outputTokens()).isEqualTo(347);
  }

  @Test
  void aSpanTheSamplerDroppedIsNotSeen() {
    Tracer tracer = tracer(Sampler.alwaysOff());
    Context conversation = Conversation.begin("c-dropped");
    try (Scope ignored = conversation.makeCurrent()) {
      llmCall(tracer, 1200, 340);
    }
    assertThat(Conversation.fromContext(conversation).inputTokens()).isZero();
  }
}
