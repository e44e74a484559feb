package dev.baton.propagation.spi;

import dev.baton.propagation.BaggagePolicy;
import dev.baton.propagation.Baton;
import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.Continuation;
import dev.baton.propagation.HandlerCost;
import dev.baton.propagation.internal.BaggageCodec;
import dev.baton.propagation.internal.BatonAccess;
import dev.baton.propagation.internal.BatonHeader;
import dev.baton.propagation.internal.Listeners;
import dev.baton.propagation.internal.SemConv;
import dev.baton.propagation.internal.ThreadCounters;
import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.internal.TraceStates;
import dev.baton.propagation.internal.WarnOnce;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.Responder;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The tracing engine for one messaging system, shared by every transport. It owns the send and
 * receive templates: a transport supplies only its {@link Wire} (header type, id header), builds
 * its client message from {@link Send#headers()}, calls its client, and hands each received message
 * to {@link #deliver} with a {@link Settler}. For transport modules, not agent code.
 *
 * <p>Send: message id, the caller's headers, the PRODUCER span {@code send {destination}} (child of
 * the current context, or past the hop limit a new trace linked to it), {@code traceparent}, {@code
 * tracestate}, {@code baggage} within the policy, Baton's header (hop, sent-at, id, agent), and on
 * the end the {@code sent} event. Receive: context, baggage and Baton's header read and checked
 * (bad input: a new root span and a rejected-context event, never an exception), the CONSUMER span
 * {@code process {destination}}, context and baggage current around the handler, ack or nak, the
 * span's end and the {@code received} and {@code processed} events.
 *
 * <p>The message path builds nothing for a span that is not recorded (attributes, links) and no
 * event when nobody listens. Nothing here throws into the caller because of Baton: a failure inside
 * the engine is counted ({@link Baton#telemetryFailures()}), reported to the listeners, and the
 * message goes on without tracing. Handler exceptions pass through unchanged. Thread-safe.
 *
 * @param <H> the broker's header type
 */
public final class MessagingEngine<H> {

  /** The most links a poll span gets: the OpenTelemetry SDK's default limit. */
  public static final int MAX_POLL_LINKS = 128;

  private static final ContextKey<Integer> HOPS = ContextKey.named("baton-hops");
  private static final WarnOnce WARN = new WarnOnce(LoggerFactory.getLogger(MessagingEngine.class));

  private final Baton baton;
  private final Wire<H> wire;
  private final String system;
  private final Tracer tracer;
  private final Listeners listeners;
  private final Names names;
  private final String[] rejectKeys;
  private final @Nullable ConfiguredPropagator<H> configured;
  private final boolean measureAllocations;
  private final boolean measureCpu;

  private MessagingEngine(Baton baton, Wire<H> wire) {
    this.baton = baton;
    this.wire = wire;
    this.system = wire.system();
    BatonAccess.Parts parts = BatonAccess.parts();
    this.tracer = parts.tracer(baton);
    this.listeners = parts.listeners(baton);
    this.configured = ConfiguredPropagator.of(parts.propagator(baton), wire);
    this.names = new Names(system, baton.agentName(), baton.agentId());
    this.measureAllocations =
        baton.handlerCost() != HandlerCost.NONE && ThreadCounters.measuresAllocations();
    this.measureCpu =
        baton.handlerCost() == HandlerCost.ALLOCATIONS_AND_CPU && ThreadCounters.measuresCpu();
    RejectionReason[] reasons = RejectionReason.values();
    this.rejectKeys = new String[reasons.length * 2];
    for (RejectionReason reason : reasons) {
      rejectKeys[reason.ordinal() * 2] = "rejected:" + system + ":" + reason + ":out";
      rejectKeys[reason.ordinal() * 2 + 1] = "rejected:" + system + ":" + reason + ":in";
    }
  }

  /** The engine for {@code baton}'s agent on the broker {@code wire} describes. */
  public static <H> MessagingEngine<H> create(Baton baton, Wire<H> wire) {
    return new MessagingEngine<>(
        Objects.requireNonNull(baton, "baton"), Objects.requireNonNull(wire, "wire"));
  }

  /** The messaging system ({@code messaging.system}). */
  public String system() {
    return system;
  }

  /** The Baton this engine belongs to. */
  public Baton baton() {
    return baton;
  }

  /** The broker's headers as this engine reads and writes them. */
  public Wire<H> wire() {
    return wire;
  }

  /** A new random message id: 32 lower-case hex digits. */
  public static String newMessageId() {
    return BatonHeader.newMessageId();
  }

  // ---------------------------------------------------------------------------------------- send

  /**
   * Starts one send: new headers with the caller's headers, the context and Baton's header written
   * (Baton's replace the caller's of the same name), and the PRODUCER span started. The caller
   * sends the message and then ends the returned {@link Send}. Never throws.
   */
  public Send<H> startSend(OutboundMessage message, SendOptions options) {
    long startNanos = System.nanoTime();
    H headers = wire.newHeaders();
    String destination = message.destination();
    String id = message.id();
    long idHi = 0;
    long idLo = 0;
    if (id == null) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      idHi = random.nextLong();
      idLo = random.nextLong();
    }
    Map<String, String> userHeaders = message.headers();
    if (!userHeaders.isEmpty()) {
      for (Map.Entry<String, String> header : userHeaders.entrySet()) {
        wire.set(headers, header.getKey(), header.getValue());
      }
    }
    boolean idInHeader = options.idInIdHeader() || (id != null && !BatonHeader.fits(id));
    if (idInHeader) {
      if (id == null) {
        id = BatonHeader.hex(idHi, idLo);
      }
      wire.set(headers, wire.idHeader(), id);
    }
    Span span = Span.getInvalid();
    Context parent = Context.current();
    int hop = 1;
    try {
      if (baton.isHousekeeping(destination)) {
        // Housekeeping: Baton's header (sent-at, id) for the metrics, no context, no span.
        writeBatonHeader(headers, 1, idInHeader ? null : id, !idInHeader, idHi, idLo);
      } else {
        Integer currentHops = parent.get(HOPS);
        hop = (currentHops == null ? 0 : currentHops) + 1;
        boolean restart = hop > baton.hopLimit();
        if (restart) {
          hop = 1;
        }
        String template = options.destinationTemplate();
        Names.Destination named = names.of(destination, template, options.temporary());
        SpanBuilder builder = tracer.spanBuilder(named.sendName()).setSpanKind(SpanKind.PRODUCER);
        boolean likelySampled = false;
        if (restart) {
          SpanContext previous = Span.fromContext(parent).getSpanContext();
          builder.setNoParent();
          if (previous.isValid()) {
            builder.addLink(previous);
          }
        } else {
          builder.setParent(parent);
          likelySampled = Span.fromContext(parent).getSpanContext().isSampled();
        }
        if (id == null && likelySampled) {
          id = BatonHeader.hex(idHi, idLo);
        }
        if (likelySampled) {
          decorateSend(AttributeSink.of(builder), named, message, options, id, hop, restart);
        }
        span = builder.startSpan();
        if (!likelySampled && span.isRecording()) {
          if (id == null) {
            id = BatonHeader.hex(idHi, idLo);
          }
          decorateSend(AttributeSink.of(span), named, message, options, id, hop, restart);
        }
        inject(headers, span, parent, message);
        writeBatonHeader(headers, hop, idInHeader ? null : id, !idInHeader, idHi, idLo);
      }
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "send", e);
    }
    String eventDestination =
        options.destinationTemplate() != null ? options.destinationTemplate() : destination;
    return new Send<>(
        this,
        headers,
        span,
        parent,
        hop,
        eventDestination,
        message.payload().length,
        startNanos,
        id,
        idHi,
        idLo);
  }

  /** The send span's attributes: on the builder when likely sampled, else once recording. */
  private static void decorateSend(
      AttributeSink sink,
      Names.Destination named,
      OutboundMessage message,
      SendOptions options,
      String id,
      int hop,
      boolean restart) {
    sink.putAll(named.send());
    if (options.destinationTemplate() != null) {
      sink.put(SemConv.DESTINATION_NAME, message.destination());
    }
    sink.put(SemConv.MESSAGE_ID, id);
    sink.put(SemConv.BODY_SIZE, (long) message.payload().length);
    sink.put(SemConv.HOP, (long) hop);
    if (options.conversationId() != null) {
      sink.put(SemConv.CONVERSATION_ID, options.conversationId());
    }
    if (restart) {
      sink.put(SemConv.CONTINUATION, "hop_limit");
    }
  }

  private void inject(H headers, Span span, Context parent, OutboundMessage message) {
    SpanContext sc = span.getSpanContext();
    if (sc.isValid()) {
      wire.set(headers, BatonHeaders.TRACEPARENT, TraceParent.format(sc));
      TraceState traceState = sc.getTraceState();
      if (!traceState.isEmpty()) {
        String state = TraceStates.format(traceState);
        if (state != null) {
          wire.set(headers, BatonHeaders.TRACESTATE, state);
        }
      }
      if (configured != null) {
        try {
          configured.inject(headers, span);
        } catch (RuntimeException | LinkageError e) {
          // The user's propagator failed: W3C's headers and Baton's still go out.
          listeners.telemetryFailure(system, "inject", e);
        }
      }
    }
    Baggage baggage = Baggage.fromContext(parent);
    if (!baggage.isEmpty()) {
      BaggagePolicy policy = baton.baggagePolicy();
      int budget = policy.maxBytes();
      int room = wire.baggageRoom(headers, message.payload().length);
      if (room >= 0) {
        budget = Math.min(budget, room);
      }
      BaggageCodec.Encoded encoded =
          BaggageCodec.encode(baggage, policy::allows, policy.maxMembers(), budget);
      if (encoded.header() != null) {
        wire.set(headers, BatonHeaders.BAGGAGE, encoded.header());
      }
      if (encoded.dropped() > 0) {
        reject(message.destination(), RejectionReason.BAGGAGE_NOT_SENT, false);
      }
    }
  }

  private void writeBatonHeader(
      H headers, int hop, @Nullable String id, boolean idInBatonHeader, long idHi, long idLo) {
    wire.set(
        headers,
        BatonHeader.NAME,
        BatonHeader.format(
            hop, nowMicros(), id, idInBatonHeader && id == null, idHi, idLo, baton.agentName()));
  }

  /** Tells the listeners a send ended. */
  void sent(String destination, int payloadBytes, long nanos, @Nullable String errorType) {
    if (!listeners.isEmpty()) {
      listeners.sent(
          new TransportListener.Sent(
              system, baton.agentName(), destination, payloadBytes, nanos, errorType));
    }
  }

  static Context withHops(Context context, int hops) {
    return hops == 0 ? context : context.with(HOPS, hops);
  }

  // ------------------------------------------------------------------------------------- receive

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
  public void deliver(
      Delivery delivery, @Nullable H headers, MessageHandler handler, Settler settler)
      throws Exception {
    deliver(delivery, headers, handler, settler, null);
  }

  /**
   * {@link #deliver(Delivery, Object, MessageHandler, Settler)} for a message of a polled batch:
   * the batch's {@code poll} span gets a link to the message's sender.
   */
  public void deliver(
      Delivery delivery,
      @Nullable H headers,
      MessageHandler handler,
      Settler settler,
      @Nullable Poll poll)
      throws Exception {
    long startNanos = System.nanoTime();
    boolean quiet = baton.isHousekeeping(delivery.destination());
    Inbound inbound = read(delivery, headers, quiet);
    if (poll != null && inbound.sender != null) {
      poll.link(inbound.sender);
    }
    Message message = message(delivery, headers, inbound);
    Span span = Span.getInvalid();
    Context context = Context.current();
    try {
      if (!quiet) {
        context = startProcess(delivery, message, inbound);
        span = Span.fromContext(context);
      }
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "process", e);
    }
    // The listeners hear "received" and "processed" while the process span is current, so a
    // metrics registry can take the span as the exemplar of what it records.
    try (Scope ignored = context.makeCurrent()) {
      if (!listeners.isEmpty()) {
        received(delivery, inbound);
      }
      Throwable failure = null;
      long cpu = measureCpu ? ThreadCounters.cpuNanos() : -1;
      long allocated = measureAllocations ? ThreadCounters.allocatedBytes() : -1;
      try {
        handler.handle(message);
      } catch (Throwable t) {
        failure = t;
      }
      if (measureAllocations) {
        allocated = ThreadCounters.delta(allocated, ThreadCounters.allocatedBytes());
      }
      if (measureCpu) {
        cpu = ThreadCounters.delta(cpu, ThreadCounters.cpuNanos());
      }
      finish(delivery, span, failure, settler, startNanos, cpu, allocated);
    }
  }

  private void received(Delivery delivery, Inbound inbound) {
    try {
      long latencyNanos =
          inbound.sentAtMicros >= 0 ? Math.max(0, (nowMicros() - inbound.sentAtMicros) * 1000) : -1;
      listeners.received(
          new TransportListener.Received(
              system,
              baton.agentName(),
              delivery.lowCardinalityDestination(),
              delivery.group(),
              inbound.senderName,
              delivery.payload().length,
              latencyNanos,
              delivery.deliveryCount()));
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "process", e);
    }
  }

  /**
   * Starts the CONSUMER span of one delivery (by the continuation and hop policies) and returns the
   * context the handler runs in: the span, the baggage, the hop count.
   */
  private Context startProcess(Delivery delivery, Message message, Inbound inbound) {
    SpanContext sender = inbound.sender;
    Continuation continuation = baton.continuationFor(delivery.destination());
    boolean overHops = inbound.hops > baton.hopLimit();
    boolean newTrace = continuation == Continuation.NEW_TRACE_WITH_LINK || overHops;
    Context parent = Context.root();
    if (sender != null && !newTrace) {
      parent = parent.with(Span.wrap(sender));
    }
    if (!inbound.baggage.isEmpty()) {
      parent = parent.with(inbound.baggage);
    }
    Names.Destination named =
        names.of(delivery.destination(), delivery.destinationTemplate(), delivery.temporary());
    SpanBuilder builder =
        tracer.spanBuilder(named.processName()).setSpanKind(SpanKind.CONSUMER).setParent(parent);
    // A sampled sender's child is recorded under the usual parent-based sampler.
    boolean likelySampled = sender != null && !newTrace && sender.isSampled();
    if (likelySampled) {
      decorateProcess(
          AttributeSink.of(builder), named, delivery, message, inbound, sender, newTrace, overHops);
    }
    Span span = builder.startSpan();
    try {
      if (!likelySampled && span.isRecording()) {
        decorateProcess(
            AttributeSink.of(span), named, delivery, message, inbound, sender, newTrace, overHops);
      }
      if (span.isRecording()) {
        if (sender != null) {
          // The creation-context link, whether or not the span is also the sender's child.
          span.addLink(sender);
        }
        if (delivery.detail() != null) {
          delivery.detail().addTo(span);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // The span is started: it still becomes current and ends after the handler.
      listeners.telemetryFailure(system, "process", e);
    }
    return withHops(parent.with(span), newTrace || sender == null ? 0 : inbound.hops);
  }

  private static void decorateProcess(
      AttributeSink sink,
      Names.Destination named,
      Delivery delivery,
      Message message,
      Inbound inbound,
      @Nullable SpanContext sender,
      boolean newTrace,
      boolean overHops) {
    sink.putAll(named.process());
    if (delivery.destinationTemplate() != null) {
      sink.put(SemConv.DESTINATION_NAME, delivery.destination());
    }
    sink.put(SemConv.MESSAGE_ID, message.id());
    sink.put(SemConv.BODY_SIZE, (long) delivery.payload().length);
    sink.put(SemConv.DELIVERY_COUNT, (long) delivery.deliveryCount());
    if (!delivery.group().isEmpty()) {
      sink.put(SemConv.CONSUMER_GROUP, delivery.group());
    }
    if (delivery.replyTo() != null) {
      sink.put(SemConv.CONVERSATION_ID, message.id());
    }
    if (inbound.senderName != null) {
      sink.put(SemConv.SENDER_AGENT_NAME, inbound.senderName);
    }
    if (inbound.hops > 0) {
      sink.put(SemConv.HOP, (long) inbound.hops);
    }
    if (sender != null && newTrace) {
      sink.put(SemConv.CONTINUATION, overHops ? "hop_limit" : "new_trace_with_link");
    }
  }

  private void finish(
      Delivery delivery,
      Span span,
      @Nullable Throwable failure,
      Settler settler,
      long startNanos,
      long cpuNanos,
      long allocatedBytes)
      throws Exception {
    Outcome outcome = failure == null ? Outcome.ACK : Outcome.NAK;
    String errorType = failure == null ? null : failure.getClass().getName();
    Throwable toThrow = failure;
    try {
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
    if ((cpuNanos >= 0 || allocatedBytes >= 0) && span.isRecording()) {
      try {
        if (cpuNanos >= 0) {
          span.setAttribute(SemConv.HANDLER_CPU_TIME, cpuNanos / 1e9);
        }
        if (allocatedBytes >= 0) {
          span.setAttribute(SemConv.HANDLER_ALLOCATED_BYTES, allocatedBytes);
        }
      } catch (RuntimeException e) {
        listeners.telemetryFailure(system, "span", e);
      }
    }
    if (!listeners.isEmpty()) {
      // Before the span ends: a listener may still mark it (an exemplar's span).
      listeners.processed(
          new TransportListener.Processed(
              system,
              baton.agentName(),
              delivery.lowCardinalityDestination(),
              delivery.group(),
              outcome,
              System.nanoTime() - startNanos,
              errorType,
              cpuNanos,
              allocatedBytes));
    }
    try {
      span.end();
    } catch (RuntimeException e) {
      listeners.telemetryFailure(system, "span", e);
    }
    if (toThrow != null) {
      MessagingEngine.<RuntimeException>sneakyThrow(toThrow);
    }
  }

  /**
   * Reads a received message into a {@link Message} without making a span (for replies that the
   * requester's span covers). Never throws.
   */
  public Message readMessage(Delivery delivery, @Nullable H headers) {
    return message(delivery, headers, read(delivery, headers, false));
  }

  /** The sender's span context on a message, or {@code null}. Never throws. */
  @Nullable SpanContext senderContext(@Nullable H headers) {
    try {
      String traceparent = headers == null ? null : wire.last(headers, BatonHeaders.TRACEPARENT);
      if (traceparent == null) {
        return configured == null ? null : configured.extract(headers);
      }
      return TraceParent.parse(traceparent, TraceState.getDefault());
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "extract", e);
      return null;
    }
  }

  /**
   * Starts the CLIENT span {@code poll {destination}} for one non-empty batch of {@code count}
   * messages from a poll that began at {@code start} and returned at {@code end} (the conventions'
   * batch guidance; each message still gets its own {@code process} span). Hand it to {@link
   * #deliver(Delivery, Object, MessageHandler, Settler, Poll)} for each message, then {@link
   * Poll#end()} it. Never throws.
   */
  public Poll startPoll(String destination, String group, Instant start, Instant end, int count) {
    Span span = Span.getInvalid();
    if (baton.isHousekeeping(destination)) {
      return new Poll(this, span, end);
    }
    try {
      span =
          tracer
              .spanBuilder("poll " + destination)
              .setSpanKind(SpanKind.CLIENT)
              .setNoParent()
              .setStartTimestamp(start)
              .startSpan();
      if (span.isRecording()) {
        span.setAllAttributes(names.of(destination, null, false).process());
        span.setAttribute(SemConv.OPERATION_TYPE, "receive");
        span.setAttribute(SemConv.OPERATION_NAME, "poll");
        span.setAttribute(SemConv.BATCH_COUNT, (long) count);
        if (!group.isEmpty()) {
          span.setAttribute(SemConv.CONSUMER_GROUP, group);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "poll", e);
    }
    return new Poll(this, span, end);
  }

  private Inbound read(Delivery delivery, @Nullable H headers, boolean quiet) {
    Inbound inbound;
    try {
      inbound = Inbound.read(headers, wire, wire.idHeader(), names);
      if (quiet) {
        // Housekeeping carries no context by design: nothing to report about it.
        return inbound;
      }
    } catch (RuntimeException | LinkageError e) {
      listeners.telemetryFailure(system, "extract", e);
      return Inbound.empty();
    }
    if (configured != null) {
      try {
        SpanContext read = configured.extract(headers);
        if (read != null) {
          inbound.configured(read);
        }
      } catch (RuntimeException | LinkageError e) {
        // The user's propagator failed: what W3C carried still counts.
        listeners.telemetryFailure(system, "extract", e);
      }
    }
    if (inbound.rejections != 0) {
      for (RejectionReason reason : RejectionReason.values()) {
        if (inbound.rejected(reason)) {
          reject(delivery.destination(), reason, true);
        }
      }
    }
    return inbound;
  }

  private Message message(Delivery delivery, @Nullable H headers, Inbound inbound) {
    String id = inbound.messageId != null ? inbound.messageId : newMessageId();
    return new Message(
        delivery.destination(),
        new HeaderView<>(headers, wire),
        delivery.payload(),
        id,
        inbound.senderName,
        delivery.replyTo(),
        delivery.deliveryCount());
  }

  // -------------------------------------------------------------------------- request and reply

  /**
   * A handler that answers requests with {@code responder} and sends each reply through {@code
   * channel}, in the request's conversation, while the request's process span is current.
   */
  public static MessageHandler respondWith(Responder responder, ReplyChannel channel) {
    Objects.requireNonNull(responder, "responder");
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

  // ------------------------------------------------------------------ events off the message path

  /** Tells the listeners about a connection event; {@code detail} must already be redacted. */
  public void connectionEvent(TransportListener.ConnectionEvent state, String detail) {
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

  /**
   * Tells the listeners a call Baton makes for {@code feature} was refused ({@code denied}) or goes
   * through again; {@code detail} must already be redacted. See {@link DeniedCalls}.
   */
  public void permission(String feature, String target, boolean denied, String detail) {
    TransportListener.PermissionChange event =
        new TransportListener.PermissionChange(system, feature, target, denied, detail);
    listeners.emit(l -> l.onPermission(event));
  }

  /** Counts and reports a failure inside a transport's instrumentation. */
  public void telemetryFailure(String operation, Throwable error) {
    listeners.telemetryFailure(system, operation, error);
  }

  private void reject(String destination, RejectionReason reason, boolean inbound) {
    WARN.log(
        rejectKeys[reason.ordinal() * 2 + (inbound ? 1 : 0)],
        "Baton {} {} context on a message {} '{}': {}",
        system,
        inbound ? "rejected" : "left off",
        inbound ? "from" : "to",
        destination,
        reason);
    if (!listeners.isEmpty()) {
      TransportListener.RejectedContext event =
          new TransportListener.RejectedContext(system, destination, reason, inbound);
      listeners.emit(l -> l.onRejectedContext(event));
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  static long nowMicros() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000;
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
}
