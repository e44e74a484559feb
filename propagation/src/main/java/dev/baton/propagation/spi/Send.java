/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.internal.BatonHeaderCodec;
import dev.baton.transport.Message;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.RefusedException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One message between the start of its PRODUCER span and the broker's answer: its headers (already
 * written), its id, its span. The transport builds its client message from {@link #headers()},
 * calls the client through {@link #call} and ends this with {@link #end}, {@link #awaitAck} or
 * {@link #awaitReply}. Ends once: later calls to an {@code end} method do nothing. Thread-safe.
 *
 * @param <H> the broker's header type
 */
public final class Send<H> {

  private static final AttributeKey<Long> SEQUENCE = AttributeKey.longKey("baton.message.sequence");
  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(Send.class, "ended", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final SendPath<H> path;
  private final H headers;
  private final Span span;
  private final Context parent;
  private final int hop;
  private final String eventDestination;
  private final int payloadBytes;
  private final long startNanos;

  /**
   * Where a generated id was written: Baton's header value (its bytes, or its string), whose third
   * field is the id; {@link #id} makes the string only when asked. 16 B less than the id's two
   * numbers, on every send.
   */
  private final @Nullable Object idSource;

  private volatile @Nullable String id;
  private volatile @Nullable Context context;

  @SuppressWarnings("unused") // through ENDED
  private volatile boolean ended;

  Send(
      SendPath<H> path,
      H headers,
      Span span,
      Context parent,
      int hop,
      String eventDestination,
      int payloadBytes,
      long startNanos,
      @Nullable String id,
      @Nullable Object idSource) {
    this.path = path;
    this.headers = headers;
    this.span = span;
    this.parent = parent;
    this.hop = hop;
    this.eventDestination = eventDestination;
    this.payloadBytes = payloadBytes;
    this.startNanos = startNanos;
    this.id = id;
    this.idSource = idSource;
  }

  /** {@return the headers to send, with the trace context, baggage and Baton's header written} */
  public H headers() {
    return headers;
  }

  /** {@return the message id: the caller's, or the one Baton generated} */
  public String id() {
    String value = id;
    if (value == null) {
      value = BatonHeaderCodec.idIn(idSource);
      if (value == null) {
        // Baton's header was not written (a telemetry failure): no one saw an id.
        value = BatonHeaderCodec.newMessageId();
      }
      id = value;
    }
    return value;
  }

  /** {@return the context with the PRODUCER span current, for work done on the message's behalf} */
  public Context context() {
    Context value = context;
    if (value == null) {
      value = Spans.withHops(parent.with(span), hop);
      context = value;
    }
    return value;
  }

  /**
   * {@return the context for the broker client's send call: {@link #context()}, and under the
   * OpenTelemetry Java agent the send's span marked as the agent's producer span, so the agent's
   * client instrumentation does not record the same send again ({@link JavaAgent})}
   */
  public Context clientContext() {
    return JavaAgent.forClientSend(context(), span);
  }

  /**
   * Makes {@link #clientContext()} current around the broker client's send call when the Java agent
   * runs (a no-op scope otherwise); close it as soon as the call returns. {@link #call} does this.
   *
   * @return the scope to close after the call
   */
  public Scope enterClient() {
    return JavaAgent.present() ? clientContext().makeCurrent() : Scope.noop();
  }

  /**
   * {@return whether the PRODUCER span records attributes: when not, a transport need not build the
   * values of the attributes it would add}
   */
  public boolean isRecording() {
    return span.isRecording();
  }

  /** {@return the span context of the PRODUCER span (invalid when tracing is off)} */
  public SpanContext spanContext() {
    return span.getSpanContext();
  }

  /**
   * Runs the broker client's call; if it throws, fails this send with the same exception and
   * rethrows it unchanged.
   *
   * @param <R> the call's result type
   * @param client the broker client's call
   * @return the call's result
   */
  public <R> R call(Supplier<R> client) {
    try (Scope ignored = enterClient()) {
      return client.get();
    } catch (RuntimeException | Error e) {
      fail(e);
      throw e;
    }
  }

  /**
   * Adds a broker-specific attribute (a partition, an offset) to the span when it is recorded.
   * Never throws.
   *
   * @param <T> the attribute's type
   * @param key the attribute's key
   * @param value its value
   * @return this send
   */
  public <T> Send<H> setAttribute(AttributeKey<T> key, T value) {
    try {
      if (span.isRecording()) {
        span.setAttribute(key, value);
      }
    } catch (RuntimeException e) {
      path.events.telemetryFailure("span", e);
    }
    return this;
  }

  /**
   * Adds broker-specific attributes to the span when it is recorded. Never throws.
   *
   * @param detail the attributes
   * @return this send
   */
  public Send<H> addDetail(SpanDetail detail) {
    try {
      if (span.isRecording()) {
        detail.addTo(span);
      }
    } catch (RuntimeException e) {
      path.events.telemetryFailure("span", e);
    }
    return this;
  }

  /**
   * Links the reply a requester received to this span, so the trace shows the responder's reply
   * send. Never throws.
   *
   * @param carrier the reply's headers, or {@code null}
   */
  public void linkReply(@Nullable H carrier) {
    if (!span.isRecording()) {
      return;
    }
    SpanContext reply = path.receive.senderContext(carrier);
    if (reply != null) {
      try {
        span.addLink(reply);
      } catch (RuntimeException e) {
        path.events.telemetryFailure("span", e);
      }
    }
  }

  /**
   * For request/reply: applies {@code timeout} to the transport's {@code pending} reply, and when
   * it completes ends this span (linked to the reply's send span) and completes the returned future
   * with the reply as a {@link Message}; or fails the span ({@code error.type} {@code timeout},
   * {@code no_responders} for a cancellation before the timeout, else the exception's class) and
   * completes the returned future with the same exception. Never throws.
   *
   * @param <R> the transport's reply type
   * @param pending the transport's pending reply
   * @param timeout how long to wait for it
   * @param delivery what the reply is (destination, payload)
   * @param replyHeaders the reply's headers
   * @return a future of the reply, as a message
   */
  public <R> CompletableFuture<Message> awaitReply(
      CompletableFuture<R> pending,
      Duration timeout,
      Function<R, Delivery> delivery,
      Function<R, @Nullable H> replyHeaders) {
    long waitStart = System.nanoTime();
    CompletableFuture<Message> result = new CompletableFuture<>();
    pending
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (reply, error) -> {
              if (error != null) {
                Throwable cause = unwrap(error);
                boolean late = System.nanoTime() - waitStart >= timeout.toNanos() * 9 / 10;
                fail(requestErrorType(cause, late), cause);
                result.completeExceptionally(cause);
                return;
              }
              Message message;
              try {
                H carrier = replyHeaders.apply(reply);
                linkReply(carrier);
                message = path.receive.readMessage(delivery.apply(reply), carrier);
              } catch (RuntimeException e) {
                fail(e);
                result.completeExceptionally(e);
                return;
              }
              String refused = message.headers().get(BatonHeaders.REFUSED);
              if (refused != null) {
                RefusedException refusal = new RefusedException(eventDestination, refused);
                fail(ReceivePath.REFUSED, refusal);
                result.completeExceptionally(refusal);
                return;
              }
              end(null);
              result.complete(message);
            });
    return result;
  }

  private static String requestErrorType(Throwable error, boolean late) {
    if (error instanceof TimeoutException) {
      return "timeout";
    }
    if (error instanceof CancellationException) {
      return late ? "timeout" : "no_responders";
    }
    return error.getClass().getName();
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /**
   * For an acknowledged publish: when the broker's {@code ack} completes, turns it into a receipt
   * (where the caller may add broker attributes to this span) and ends the span, or fails the span
   * with the broker client's exception (unwrapped from a {@link CompletionException}). The returned
   * future completes the same way. {@code endOnAck} false leaves the span open on success (a
   * request's span waits for its reply). Never throws.
   *
   * @param <R> the broker's acknowledgement type
   * @param ack the broker's acknowledgement
   * @param receipt turns the acknowledgement into a receipt
   * @param endOnAck whether the span ends when the acknowledgement arrives
   * @return a future of the receipt
   */
  public <R> CompletableFuture<PublishReceipt> awaitAck(
      CompletableFuture<R> ack, Function<R, PublishReceipt> receipt, boolean endOnAck) {
    CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
    ack.whenComplete(
        (value, error) -> {
          if (error != null) {
            Throwable cause = unwrap(error);
            fail(cause);
            result.completeExceptionally(cause);
            return;
          }
          PublishReceipt done;
          try {
            done = receipt.apply(value);
          } catch (RuntimeException e) {
            fail(e);
            result.completeExceptionally(e);
            return;
          }
          if (endOnAck) {
            end(done);
          }
          result.complete(done);
        });
    return result;
  }

  /**
   * The broker took the message.
   *
   * @param receipt the broker's receipt, or {@code null}
   */
  public void end(@Nullable PublishReceipt receipt) {
    if (receipt != null && receipt.sequence() >= 0) {
      setAttribute(SEQUENCE, receipt.sequence());
    }
    finish(null, null);
  }

  /**
   * The send failed with the broker client's {@code error}.
   *
   * @param error the client's exception
   */
  public void fail(Throwable error) {
    fail(error.getClass().getName(), error);
  }

  /**
   * The send failed; {@code errorType} is a short low-cardinality name ({@code timeout}, {@code
   * no_responders}) or the exception's class name.
   *
   * @param errorType the error's short name
   * @param error the exception, or {@code null}
   */
  public void fail(String errorType, @Nullable Throwable error) {
    finish(errorType, error);
  }

  private void finish(@Nullable String errorType, @Nullable Throwable error) {
    if (!ENDED.compareAndSet(this, false, true)) {
      return;
    }
    if (errorType != null) {
      Spans.recordError(span, errorType, error);
    }
    try {
      span.end();
    } catch (RuntimeException e) {
      path.events.telemetryFailure("span", e);
    }
    path.events.sent(eventDestination, payloadBytes, System.nanoTime() - startNanos, errorType);
  }
}
