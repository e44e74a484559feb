package dev.baton.propagation;

import dev.baton.transport.Message;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One message between the start of its PRODUCER span and the broker's answer. For transport
 * modules. Ends once: later calls to an {@code end} method do nothing. Thread-safe.
 */
public final class Send {

  private static final AttributeKey<Long> SEQUENCE = AttributeKey.longKey("baton.message.sequence");

  private final MessagingEngine engine;
  private final SendSpec spec;
  private final Span span;
  private final Context context;
  private final long startNanos;
  private final AtomicBoolean ended = new AtomicBoolean();

  Send(MessagingEngine engine, SendSpec spec, Span span, Context context, long startNanos) {
    this.engine = engine;
    this.spec = spec;
    this.span = span;
    this.context = context;
    this.startNanos = startNanos;
  }

  /** The context with the PRODUCER span current, for work done on the message's behalf. */
  public Context context() {
    return context;
  }

  /** The span context of the PRODUCER span (invalid when tracing is off). */
  public SpanContext spanContext() {
    return span.getSpanContext();
  }

  /** Adds a broker-specific attribute (a partition, an offset) to the span. Never throws. */
  public <T> Send setAttribute(AttributeKey<T> key, T value) {
    try {
      span.setAttribute(key, value);
    } catch (RuntimeException e) {
      engine.telemetryFailure("span", e);
    }
    return this;
  }

  /**
   * Links the reply a requester received to this span, so the trace shows the responder's reply
   * send. Never throws.
   */
  public <C> void linkReply(@Nullable C carrier, HeaderGetter<C> getter) {
    SpanContext reply = engine.senderContext(carrier, getter);
    if (reply != null) {
      try {
        span.addLink(reply);
      } catch (RuntimeException e) {
        engine.telemetryFailure("span", e);
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
   * @param delivery what the reply is (destination, id, payload)
   * @param headers the reply's headers
   */
  public <R, C> CompletableFuture<Message> awaitReply(
      CompletableFuture<R> pending,
      Duration timeout,
      Function<R, Delivery> delivery,
      Function<R, @Nullable C> headers,
      HeaderGetter<C> getter) {
    long startNanos = System.nanoTime();
    CompletableFuture<Message> result = new CompletableFuture<>();
    pending
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (reply, error) -> {
              if (error != null) {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                boolean late = System.nanoTime() - startNanos >= timeout.toNanos() * 9 / 10;
                fail(requestErrorType(cause, late), cause);
                result.completeExceptionally(cause);
                return;
              }
              Message message;
              try {
                C carrier = headers.apply(reply);
                linkReply(carrier, getter);
                message = engine.readMessage(delivery.apply(reply), carrier, getter);
              } catch (RuntimeException e) {
                fail(e);
                result.completeExceptionally(e);
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

  /**
   * For an acknowledged publish: when the broker's {@code ack} completes, turns it into a receipt
   * (where the caller may add broker attributes to this span) and ends the span, or fails the span
   * with the broker client's exception (unwrapped from a {@link CompletionException}). The returned
   * future completes the same way. {@code endOnAck} false leaves the span open on success (a
   * request's span waits for its reply). Never throws.
   */
  public <R> CompletableFuture<PublishReceipt> awaitAck(
      CompletableFuture<R> ack, Function<R, PublishReceipt> receipt, boolean endOnAck) {
    CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
    ack.whenComplete(
        (value, error) -> {
          if (error != null) {
            Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
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

  /** The broker took the message. */
  public void end(@Nullable PublishReceipt receipt) {
    if (receipt != null && receipt.sequence() >= 0) {
      setAttribute(SEQUENCE, receipt.sequence());
    }
    finish(null, null);
  }

  /** The send failed with the broker client's {@code error}. */
  public void fail(Throwable error) {
    fail(error.getClass().getName(), error);
  }

  /**
   * The send failed; {@code errorType} is a short low-cardinality name ({@code timeout}, {@code
   * no_responders}) or the exception's class name.
   */
  public void fail(String errorType, @Nullable Throwable error) {
    finish(errorType, error);
  }

  private void finish(@Nullable String errorType, @Nullable Throwable error) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    if (errorType != null) {
      MessagingEngine.recordError(span, errorType, error);
    }
    try {
      span.end();
    } catch (RuntimeException e) {
      engine.telemetryFailure("span", e);
    }
    TransportListener.Sent event =
        new TransportListener.Sent(
            engine.system(),
            engine.baton().agentName(),
            spec.destinationTemplate() != null ? spec.destinationTemplate() : spec.destination(),
            spec.payloadBytes(),
            System.nanoTime() - startNanos,
            errorType);
    engine.baton().listeners().emit(l -> l.onSent(event));
  }
}
