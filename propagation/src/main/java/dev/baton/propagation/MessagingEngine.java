package dev.baton.propagation;

import dev.baton.propagation.internal.BaggageCodec;
import dev.baton.propagation.internal.SemConv;
import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.internal.TraceStates;
import dev.baton.propagation.internal.WarnOnce;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.Responder;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The tracing engine for one messaging system, shared by every transport: it writes and reads the
 * context headers, makes the messaging spans, applies the continuation, hop and baggage policies
 * and tells the listeners. For transport modules, not agent code.
 *
 * <p>Nothing here throws into the caller because of Baton: a failure inside the engine is counted
 * ({@link Baton#telemetryFailures()}), reported to the listeners and the message goes on without
 * tracing. Handler exceptions pass through unchanged. Thread-safe.
 */
public final class MessagingEngine {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final ContextKey<Integer> HOPS = ContextKey.named("baton-hops");
  private static final WarnOnce WARN = new WarnOnce(LoggerFactory.getLogger(MessagingEngine.class));

  private final Baton baton;
  private final String system;
  private final Listeners listeners;

  MessagingEngine(Baton baton, String system) {
    this.baton = baton;
    this.system = system;
    this.listeners = baton.listeners();
  }

  /** The messaging system ({@code messaging.system}). */
  public String system() {
    return system;
  }

  /** The Baton this engine belongs to. */
  public Baton baton() {
    return baton;
  }

  /** A new random message id: 32 lower-case hex digits. */
  public static String newMessageId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = random.nextLong();
    long lo = random.nextLong();
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (hi & 0xf)];
      out[i + 16] = HEX[(int) (lo & 0xf)];
      hi >>>= 4;
      lo >>>= 4;
    }
    return new String(out);
  }

  /**
   * Starts the PRODUCER span {@code send {destination}} as a child of the current context (or, past
   * the hop limit, as a new trace linked to it) and writes {@code traceparent}, {@code tracestate},
   * {@code baggage} and Baton's headers through {@code setter}, replacing existing values. The
   * caller sends the message and then ends the returned {@link Send}. Never throws.
   */
  public <C> Send startSend(SendSpec spec, C carrier, HeaderSetter<C> setter) {
    long startNanos = System.nanoTime();
    Span span = Span.getInvalid();
    Context context = Context.current();
    try {
      Context parent = Context.current();
      Integer currentHops = parent.get(HOPS);
      int hop = (currentHops == null ? 0 : currentHops) + 1;
      SpanContext previous = Span.fromContext(parent).getSpanContext();
      boolean restart = hop > baton.hopLimit();
      if (restart) {
        hop = 1;
      }
      SpanBuilder builder =
          baton
              .tracer()
              .spanBuilder(
                  spanName(
                      "send", spec.destination(), spec.destinationTemplate(), spec.temporary()))
              .setSpanKind(SpanKind.PRODUCER)
              .setAllAttributes(
                  common(spec.destination(), spec.destinationTemplate(), spec.temporary(), "send"))
              .setAttribute(SemConv.MESSAGE_ID, spec.messageId())
              .setAttribute(SemConv.BODY_SIZE, (long) spec.payloadBytes())
              .setAttribute(SemConv.AGENT_NAME, baton.agentName())
              .setAttribute(SemConv.AGENT_ID, baton.agentId())
              .setAttribute(SemConv.HOP, (long) hop)
              .setAllAttributes(spec.attributes());
      if (spec.conversationId() != null) {
        builder.setAttribute(SemConv.CONVERSATION_ID, spec.conversationId());
      }
      if (restart) {
        builder.setNoParent().setAttribute(SemConv.CONTINUATION, "hop_limit");
        if (previous.isValid()) {
          builder.addLink(previous);
        }
      } else {
        builder.setParent(parent);
      }
      span = builder.startSpan();
      context = parent.with(span).with(HOPS, hop);
      inject(spec, carrier, setter, span, hop);
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "send", e);
    }
    return new Send(this, spec, span, context, startNanos);
  }

  private <C> void inject(SendSpec spec, C carrier, HeaderSetter<C> setter, Span span, int hop) {
    SpanContext sc = span.getSpanContext();
    if (sc.isValid()) {
      setter.set(carrier, BatonHeaders.TRACEPARENT, TraceParent.format(sc));
      String state = TraceStates.format(sc.getTraceState());
      if (state != null) {
        setter.set(carrier, BatonHeaders.TRACESTATE, state);
      }
    }
    Baggage baggage = Baggage.current();
    if (!baggage.isEmpty()) {
      BaggagePolicy policy = baton.baggagePolicy();
      int budget = policy.maxBytes();
      if (spec.baggageBudget() >= 0) {
        budget = Math.min(budget, spec.baggageBudget());
      }
      BaggageCodec.Encoded encoded =
          BaggageCodec.encode(baggage, policy::allows, policy.maxMembers(), budget);
      if (encoded.header() != null) {
        setter.set(carrier, BatonHeaders.BAGGAGE, encoded.header());
      }
      if (encoded.dropped() > 0) {
        reject(spec.destination(), RejectionReason.BAGGAGE_NOT_SENT, false);
      }
    }
    setter.set(carrier, BatonHeaders.SENT_AT, Long.toString(nowMicros()));
    setter.set(carrier, BatonHeaders.HOPS, Integer.toString(hop));
    setter.set(carrier, BatonHeaders.AGENT, baton.agentName());
    setter.set(carrier, BatonHeaders.AGENT_ID, baton.agentId());
  }

  /**
   * Handles one delivery: reads and checks the context (bad input → a new root span and a
   * rejected-context event, never an exception), starts the CONSUMER span {@code process
   * {destination}} as a child of the sender's span and linked to it (or as a new linked trace, by
   * the continuation and hop policies), makes context and baggage current, calls {@code handler},
   * then acks (returned) or naks (threw) through {@code settler} and ends the span.
   *
   * @throws Exception exactly what {@code handler} threw, the same instance, after the nak; or the
   *     broker client's exception from {@code settler}
   */
  public <C> void deliver(
      Delivery delivery,
      @Nullable C carrier,
      HeaderGetter<C> getter,
      MessageHandler handler,
      Settler settler)
      throws Exception {
    Processing processing = startProcessing(delivery, carrier, getter);
    Throwable failure = null;
    try (Scope ignored = processing.context.makeCurrent()) {
      handler.handle(processing.message);
    } catch (Throwable t) {
      failure = t;
    }
    processing.finish(failure, settler);
  }

  /**
   * Reads a received message into a {@link Message} without making a span (for replies that the
   * requester's span covers). Never throws.
   */
  public <C> Message readMessage(Delivery delivery, @Nullable C carrier, HeaderGetter<C> getter) {
    Inbound inbound = readInbound(delivery, carrier, getter);
    return message(delivery, inbound);
  }

  /** Reads the sender's span context from a message, or {@code null}. Never throws. */
  <C> @Nullable SpanContext senderContext(@Nullable C carrier, HeaderGetter<C> getter) {
    try {
      return Inbound.read(carrier, getter).sender();
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "extract", e);
      return null;
    }
  }

  /**
   * Records the CLIENT span {@code poll {destination}} for one non-empty batch from a poll: it
   * starts at {@code start}, ends now, and links to the sender's span of every message in the batch
   * (the conventions' batch guidance; each message still gets its own {@code process} span). Never
   * throws.
   */
  public <C> void recordPoll(
      String destination,
      String group,
      Instant start,
      List<@Nullable C> carriers,
      HeaderGetter<C> getter,
      Attributes attributes) {
    try {
      SpanBuilder builder =
          baton
              .tracer()
              .spanBuilder("poll " + destination)
              .setSpanKind(SpanKind.CLIENT)
              .setNoParent()
              .setStartTimestamp(start)
              .setAllAttributes(common(destination, null, false, "receive"))
              .setAttribute(SemConv.OPERATION_NAME, "poll")
              .setAttribute(SemConv.BATCH_COUNT, (long) carriers.size())
              .setAttribute(SemConv.AGENT_NAME, baton.agentName())
              .setAttribute(SemConv.AGENT_ID, baton.agentId())
              .setAllAttributes(attributes);
      if (!group.isEmpty()) {
        builder.setAttribute(SemConv.CONSUMER_GROUP, group);
      }
      for (C carrier : carriers) {
        SpanContext sender = senderContextOnly(carrier, getter);
        if (sender != null) {
          builder.addLink(sender);
        }
      }
      builder.startSpan().end();
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "poll", e);
    }
  }

  private static <C> @Nullable SpanContext senderContextOnly(
      @Nullable C carrier, HeaderGetter<C> getter) {
    if (carrier == null) {
      return null;
    }
    List<String> values = getter.getAll(carrier, BatonHeaders.TRACEPARENT);
    return values.isEmpty()
        ? null
        : TraceParent.parse(values.get(values.size() - 1), TraceState.getDefault());
  }

  /**
   * A handler that answers requests with {@code responder} and sends each reply through {@code
   * channel}, in the request's conversation, while the request's process span is current.
   */
  public static MessageHandler respondWith(Responder responder, ReplyChannel channel) {
    return request -> {
      byte[] reply = responder.respond(request);
      String replyTo = request.replyTo();
      if (replyTo != null) {
        channel.reply(replyTo, reply == null ? new byte[0] : reply, request.id());
      }
    };
  }

  /** How a transport sends a reply to a request. */
  @FunctionalInterface
  public interface ReplyChannel {
    /** Sends {@code payload} to {@code replyTo} in conversation {@code conversationId}. */
    void reply(String replyTo, byte[] payload, String conversationId) throws Exception;
  }

  /** Tells the listeners about a connection event; {@code detail} must already be redacted. */
  public void connectionEvent(TransportListener.ConnectionState state, String detail) {
    TransportListener.ConnectionChange event =
        new TransportListener.ConnectionChange(system, state, detail);
    listeners.emit(l -> l.onConnection(event));
  }

  /**
   * Tells the listeners how far a consumer is behind on the broker ({@link Double#NaN} for
   * unknown). Called by a transport's probe, off the message path.
   */
  public void backlog(
      String destination,
      String group,
      String partition,
      double lagMessages,
      double ackPending,
      double lagSeconds) {
    TransportListener.Backlog event =
        new TransportListener.Backlog(
            system, destination, group, partition, lagMessages, ackPending, lagSeconds);
    listeners.emit(l -> l.onBacklog(event));
  }

  /** Tells the listeners what a subscription holds in this process but has not handled. */
  public void queueDepth(String destination, String group, long messages, long bytes) {
    TransportListener.QueueDepth event =
        new TransportListener.QueueDepth(system, destination, group, messages, bytes);
    listeners.emit(l -> l.onQueueDepth(event));
  }

  /** Tells the listeners a subscription started, stopped or failed. */
  public void subscriptionChange(
      String destination, String group, TransportListener.SubscriptionState state) {
    TransportListener.SubscriptionChange event =
        new TransportListener.SubscriptionChange(system, destination, group, state);
    listeners.emit(l -> l.onSubscription(event));
  }

  /** Counts and reports a failure inside a transport's instrumentation. */
  public void telemetryFailure(String operation, Throwable error) {
    listeners.telemetryFailure(system, operation, error);
  }

  private <C> Inbound readInbound(Delivery delivery, @Nullable C carrier, HeaderGetter<C> getter) {
    Inbound inbound;
    try {
      inbound = Inbound.read(carrier, getter);
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "extract", e);
      return new Inbound(
          null,
          Baggage.empty(),
          0,
          -1,
          null,
          null,
          java.util.Map.of(),
          java.util.EnumSet.noneOf(RejectionReason.class));
    }
    for (RejectionReason reason : inbound.rejections()) {
      reject(delivery.destination(), reason, true);
    }
    return inbound;
  }

  private Message message(Delivery delivery, Inbound inbound) {
    String id = delivery.messageId() == null ? newMessageId() : delivery.messageId();
    return new Message(
        delivery.destination(),
        inbound.headers(),
        delivery.payload(),
        id,
        inbound.senderName(),
        delivery.replyTo(),
        delivery.deliveryCount());
  }

  private <C> Processing startProcessing(
      Delivery delivery, @Nullable C carrier, HeaderGetter<C> getter) {
    long startNanos = System.nanoTime();
    Inbound inbound = readInbound(delivery, carrier, getter);
    Message message = message(delivery, inbound);
    Span span = Span.getInvalid();
    Context context = Context.current();
    long latencyNanos = -1;
    try {
      if (inbound.sentAtMicros() >= 0) {
        latencyNanos = Math.max(0, (nowMicros() - inbound.sentAtMicros()) * 1000);
      }
      SpanContext sender = inbound.sender();
      Continuation continuation = baton.continuationFor(delivery.destination());
      boolean overHops = inbound.hops() > baton.hopLimit();
      boolean newTrace = continuation == Continuation.NEW_TRACE_WITH_LINK || overHops;
      Context parent = Context.root();
      if (sender != null && !newTrace) {
        parent = parent.with(Span.wrap(sender));
      }
      if (!inbound.baggage().isEmpty()) {
        parent = parent.with(inbound.baggage());
      }
      SpanBuilder builder =
          baton
              .tracer()
              .spanBuilder(
                  spanName(
                      "process",
                      delivery.destination(),
                      delivery.destinationTemplate(),
                      delivery.temporary()))
              .setSpanKind(SpanKind.CONSUMER)
              .setParent(parent)
              .setAllAttributes(
                  common(
                      delivery.destination(),
                      delivery.destinationTemplate(),
                      delivery.temporary(),
                      "process"))
              .setAttribute(SemConv.MESSAGE_ID, message.id())
              .setAttribute(SemConv.BODY_SIZE, (long) delivery.payload().length)
              .setAttribute(SemConv.AGENT_NAME, baton.agentName())
              .setAttribute(SemConv.AGENT_ID, baton.agentId())
              .setAttribute(SemConv.DELIVERY_COUNT, (long) delivery.deliveryCount())
              .setAllAttributes(delivery.attributes());
      if (!delivery.group().isEmpty()) {
        builder.setAttribute(SemConv.CONSUMER_GROUP, delivery.group());
      }
      if (delivery.replyTo() != null) {
        builder.setAttribute(SemConv.CONVERSATION_ID, message.id());
      }
      if (inbound.senderName() != null) {
        builder.setAttribute(SemConv.SENDER_AGENT_NAME, inbound.senderName());
      }
      if (inbound.senderId() != null) {
        builder.setAttribute(SemConv.SENDER_AGENT_ID, inbound.senderId());
      }
      if (inbound.hops() > 0) {
        builder.setAttribute(SemConv.HOP, (long) inbound.hops());
      }
      if (sender != null) {
        // The creation-context link, whether or not the span is also the sender's child.
        builder.addLink(sender);
        if (newTrace) {
          builder.setAttribute(
              SemConv.CONTINUATION, overHops ? "hop_limit" : "new_trace_with_link");
        }
      }
      span = builder.startSpan();
      context = parent.with(span).with(HOPS, newTrace || sender == null ? 0 : inbound.hops());
      TransportListener.Received event =
          new TransportListener.Received(
              system,
              baton.agentName(),
              lowCardinality(delivery),
              delivery.group(),
              inbound.senderName(),
              delivery.payload().length,
              latencyNanos,
              delivery.deliveryCount());
      listeners.emit(l -> l.onReceived(event));
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "process", e);
    }
    return new Processing(delivery, message, span, context, startNanos);
  }

  private void reject(String destination, RejectionReason reason, boolean inbound) {
    WARN.log(
        "rejected:" + system + ":" + reason + ":" + inbound,
        "Baton {} {} context on a message {} '{}': {}",
        system,
        inbound ? "rejected" : "left off",
        inbound ? "from" : "to",
        destination,
        reason);
    TransportListener.RejectedContext event =
        new TransportListener.RejectedContext(system, destination, reason, inbound);
    listeners.emit(l -> l.onRejectedContext(event));
  }

  private Attributes common(
      String destination, @Nullable String template, boolean temporary, String operation) {
    var builder =
        Attributes.builder()
            .put(SemConv.MESSAGING_SYSTEM, system)
            .put(SemConv.DESTINATION_NAME, destination)
            .put(SemConv.OPERATION_TYPE, operation)
            .put(SemConv.OPERATION_NAME, operation);
    if (template != null) {
      builder.put(SemConv.DESTINATION_TEMPLATE, template);
    }
    if (temporary) {
      builder.put(SemConv.DESTINATION_TEMPORARY, true);
    }
    return builder.build();
  }

  private static String spanName(
      String operation, String destination, @Nullable String template, boolean temporary) {
    if (template != null) {
      return operation + " " + template;
    }
    return temporary ? operation : operation + " " + destination;
  }

  private static String lowCardinality(Delivery delivery) {
    return delivery.destinationTemplate() != null
        ? delivery.destinationTemplate()
        : delivery.destination();
  }

  static long nowMicros() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000;
  }

  static boolean isIdentity(String value) {
    if (value.isEmpty() || value.length() > 128) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  static void recordError(Span span, String errorType, @Nullable Throwable error) {
    try {
      span.setAttribute(SemConv.ERROR_TYPE, errorType);
      span.setStatus(StatusCode.ERROR);
      if (error != null) {
        span.recordException(error);
      }
    } catch (RuntimeException e) {
      // A broken span implementation must not hide the real error.
    }
  }

  @SuppressWarnings("unchecked")
  static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  /** One delivery between its span's start and its end. */
  private final class Processing {
    final Delivery delivery;
    final Message message;
    final Span span;
    final Context context;
    final long startNanos;

    Processing(Delivery delivery, Message message, Span span, Context context, long startNanos) {
      this.delivery = delivery;
      this.message = message;
      this.span = span;
      this.context = context;
      this.startNanos = startNanos;
    }

    void finish(@Nullable Throwable failure, Settler settler) throws Exception {
      Outcome outcome = failure == null ? Outcome.ACK : Outcome.NAK;
      String errorType = failure == null ? null : failure.getClass().getName();
      Throwable toThrow = failure;
      try (Scope ignored = context.makeCurrent()) {
        if (failure == null) {
          settler.ack();
        } else {
          settler.nak();
          outcome = settler.failureOutcome();
        }
      } catch (Exception settleError) {
        if (toThrow == null) {
          toThrow = settleError;
          errorType = settleError.getClass().getName();
        } else {
          // The handler's own exception goes on untouched; the nak failure is on the span.
          recordError(span, settleError.getClass().getName(), settleError);
        }
      }
      if (errorType != null) {
        recordError(span, errorType, toThrow);
      }
      try {
        span.end();
      } catch (RuntimeException e) {
        listeners.telemetryFailure(system, "span", e);
      }
      TransportListener.Processed event =
          new TransportListener.Processed(
              system,
              baton.agentName(),
              lowCardinality(delivery),
              delivery.group(),
              outcome,
              System.nanoTime() - startNanos,
              errorType);
      listeners.emit(l -> l.onProcessed(event));
      if (toThrow != null) {
        MessagingEngine.<RuntimeException>sneakyThrow(toThrow);
      }
    }
  }
}
