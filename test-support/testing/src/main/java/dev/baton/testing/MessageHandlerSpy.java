/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A handler that keeps the span current in it, as finished data, one per message. */
final class MessageHandlerSpy implements MessageHandler {
  final List<SpanData> seen = new CopyOnWriteArrayList<>();

  @Override
  public void handle(Message message) {
    seen.add(((ReadableSpan) Span.current()).toSpanData());
  }

  /** The first message's span, once a message has been handled. */
  SpanData await() {
    Await.until("a message handled", () -> !seen.isEmpty());
    return seen.get(0);
  }
}
