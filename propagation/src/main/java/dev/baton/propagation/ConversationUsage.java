/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import dev.baton.propagation.internal.ConversationAccess;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OpenTelemetry SDK span processor that adds to a {@link Conversation} the tokens that
 * instrumented LLM clients report: when a span started inside a conversation (a Baton handler's, or
 * a {@link Conversation#begin} scope) ends with {@code gen_ai.usage.input_tokens} or {@code
 * gen_ai.usage.output_tokens} (the OpenTelemetry GenAI conventions), they are added to that
 * conversation as {@link Conversation#addUsage} would, so the work's next hand-offs carry them with
 * no code in the handler.
 *
 * <pre>{@code
 * SdkTracerProvider.builder()
 *     .addSpanProcessor(ConversationUsage.create())
 *     .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
 *     .build();
 * }</pre>
 *
 * <p>Only spans the SDK records reach a processor: in a trace the sampler dropped, the LLM client's
 * span is not recorded and its usage is not seen; add it with {@link Conversation#addUsage} where
 * every call must count. Cost has no GenAI convention and is not read. Needs the OpenTelemetry SDK
 * on the class path (an optional dependency of this module). Thread-safe.
 */
public final class ConversationUsage implements SpanProcessor {

  private static final AttributeKey<Long> INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.input_tokens");
  private static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");

  // The conversation each open span started in; a span's entry goes when it ends.
  private final Map<ReadableSpan, Conversation> open = new ConcurrentHashMap<>();

  private ConversationUsage() {}

  /** {@return a processor to add to the application's {@code SdkTracerProvider}} */
  public static ConversationUsage create() {
    return new ConversationUsage();
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    try {
      Conversation conversation = ConversationAccess.parts().stored(parentContext);
      if (conversation != null) {
        open.put(span, conversation);
      }
    } catch (RuntimeException | LinkageError e) {
      // Never into the application's span start.
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    Conversation conversation = open.remove(span);
    if (conversation == null) {
      return;
    }
    try {
      Long input = span.getAttribute(INPUT_TOKENS);
      Long output = span.getAttribute(OUTPUT_TOKENS);
      if (input != null || output != null) {
        conversation.addUsage(
            input == null ? 0 : Math.max(0, input), output == null ? 0 : Math.max(0, output), 0);
      }
    } catch (RuntimeException | LinkageError e) {
      // A malformed attribute costs only its own usage.
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  @Override
  public CompletableResultCode shutdown() {
    open.clear();
    return CompletableResultCode.ofSuccess();
  }
}
