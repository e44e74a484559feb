/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.Baton;
import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.Continuation;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationBudget;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.HandlerCost;
import dev.baton.propagation.internal.AsciiBytes;
import dev.baton.propagation.internal.BatonHeaderCodec;
import dev.baton.propagation.internal.ConversationAccess;
import dev.baton.propagation.internal.Ledger;
import dev.baton.propagation.internal.SemConv;
import dev.baton.propagation.internal.ThreadCounters;
import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.internal.Trail;
import dev.baton.propagation.internal.WarnEvery;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import dev.baton.transport.internal.MessageAccess;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The engine's receive template: context, baggage and Baton's header read and checked, the CONSUMER
 * span around the handler, ack or nak, the events; and the poll span of a batch. Never throws
 * because of Baton; a handler's exception passes through unchanged. Thread-safe.
 */
final class ReceivePath<H> {

  /** The span's {@code error.type} when the watch gave a message up past the handler time. */
  static final String HANDLER_TIMEOUT = "baton.handler_timeout";

  /** The span's {@code error.type} when the engine refused a message by the agent's policy. */
  static final String REFUSED = "baton.refused";

  /** Why a message that closes a loop is refused where the agent breaks loops. */
  static final String LOOP = "loop";

  private static final WarnEvery LOOPS =
      new WarnEvery(org.slf4j.LoggerFactory.getLogger(ReceivePath.class), 60_000);

  /** Why a message without a conversation id is refused under ConversationMode.REQUIRE. */
  static final String CONVERSATION_REQUIRED = "conversation_required";

  private final Baton baton;
  private final Wire<H> wire;
  private final Tracer tracer;
  private final Names names;
  private final @Nullable ConfiguredPropagator<H> configured;
  private final TransportEvents events;
  private final boolean dropsUnsampledChildren;
  private final boolean measureAllocations;
  private final boolean measureCpu;
  private final HandlerWatch.Failures watchFailures;
  private final ConversationMode conversations;
  private final String selfTag;
  private volatile TransportSubscriber.@Nullable ReplyChannel replies;
  private final MessageAccess.HeaderReader headerReader;

  private static final MessageAccess.Parts MESSAGES = MessageAccess.parts();

  ReceivePath(
      Baton baton,
      Wire<H> wire,
      Tracer tracer,
      Names names,
      @Nullable ConfiguredPropagator<H> configured,
      TransportEvents events,
      boolean dropsUnsampledChildren) {
    this.baton = baton;
    this.wire = wire;
    this.tracer = tracer;
    this.names = names;
    this.configured = configured;
    this.events = events;
    this.dropsUnsampledChildren = dropsUnsampledChildren;
    this.measureAllocations =
        baton.handlerCost() != HandlerCost.NONE && ThreadCounters.measuresAllocations();
    this.measureCpu =
        baton.handlerCost() == HandlerCost.ALLOCATIONS_AND_CPU && ThreadCounters.measuresCpu();
    this.watchFailures = events::telemetryFailure;
    this.conversations = baton.conversations();
    this.selfTag = Trail.tag(baton.agentName());
    this.headerReader = carrier -> new HeaderView<>(carrierOf(carrier), wire);
  }

  @SuppressWarnings("unchecked") // the transport hands the engine its own wire's headers alone
  private static <H> @Nullable H carrierOf(@Nullable Object carrier) {
    return (H) carrier;
  }

  /** How a refused request is answered (the transport's reply channel). */
  void replyWith(TransportSubscriber.ReplyChannel channel) {
    this.replies = channel;
  }

  /** See {@link MessagingEngine#deliver(Delivery, Object, MessageHandler, Settler, Poll)}. */
  void deliver(
      Delivery delivery,
      @Nullable H headers,
      MessageHandler handler,
      Settler settler,
      @Nullable Poll poll)
      throws Exception {
    long startNanos = System.nanoTime();
    boolean quiet = baton.isHousekeeping(delivery.destination());
    Inbound inbound = read(Inbound.borrow(), delivery, headers, quiet);
    try {
      run(delivery, headers, handler, settler, poll, startNanos, quiet, inbound);
    } finally {
      inbound.release();
    }
  }

  /** The delivery once its headers are read: the span, the handler, the settlement. */
  private void run(
      Delivery delivery,
      @Nullable H headers,
      MessageHandler handler,
      Settler settler,
      @Nullable Poll poll,
      long startNanos,
      boolean quiet,
      Inbound inbound)
      throws Exception {
    if (poll != null && inbound.sender != null) {
      poll.link(inbound.sender);
    }
    Message message = message(delivery, headers, inbound);
    Span span = Span.getInvalid();
    Context context = Context.current();
    String refusal = null;
    try {
      if (!quiet) {
        if (conversations != ConversationMode.OFF) {
          refusal = conversation(inbound, message, headers, startNanos);
        }
        context = startProcess(delivery, message, inbound);
        span = Span.fromContext(context);
        if (JavaAgent.present() && JavaAgent.isAgentProcessSpan(span)) {
          span = new AdoptedSpan(span); // the agent ends it, not Baton
        }
      }
    } catch (RuntimeException | LinkageError e) {
      events.telemetryFailure("process", e);
    }
    // The listeners hear "received" and "processed" while the process span is current, so a
    // metrics registry can take the span as the exemplar of what it records.
    try (Scope ignored = context.makeCurrent()) {
      if (events.listening()) {
        received(delivery, inbound);
      }
      if (refusal != null) {
        refuse(delivery, message, refusal, span, settler, startNanos, inbound.conversation);
        return;
      }
      Throwable failure = null;
      // The handler's cost goes on the span and to the listeners: with neither, it is not read.
      boolean wanted = span.isRecording() || events.listening();
      boolean allocations = measureAllocations && wanted;
      boolean cpuTime = measureCpu && wanted;
      long cpu = cpuTime ? ThreadCounters.cpuNanos() : -1;
      long allocated = allocations ? ThreadCounters.allocatedBytes() : -1;
      HandlerWatch.Slot watched = watch(settler);
      try {
        handler.handle(message);
      } catch (Throwable t) {
        failure = t;
      }
      boolean gaveUp = watched != null && watched.end();
      if (allocations) {
        allocated = ThreadCounters.delta(allocated, ThreadCounters.allocatedBytes());
      }
      if (cpuTime) {
        cpu = ThreadCounters.delta(cpu, ThreadCounters.cpuNanos());
      }
      finish(
          delivery, message, inbound, span, failure, gaveUp, settler, startNanos, cpu, allocated);
    }
  }

  /**
   * The message's conversation: the W3C baggage member it carries; else, minting, its message id (a
   * redelivery keeps it), added to the handler's baggage so onward sends carry it; else, requiring,
   * a refusal (its reason, returned). An invalid id is an {@link RejectionReason#INVALID_BAGGAGE}.
   * The totals are those after the sender's name in Baton's header, or begin at the send.
   */
  private @Nullable String conversation(
      Inbound inbound, Message message, @Nullable H headers, long startNanos) {
    String id = inbound.baggage.getEntryValue(Conversation.BAGGAGE_KEY);
    if (id != null && !OutboundMessage.isConversationId(id)) {
      events.reject(message.destination(), RejectionReason.INVALID_BAGGAGE, true);
      id = null;
    }
    if (id == null) {
      if (conversations == ConversationMode.REQUIRE) {
        return CONVERSATION_REQUIRED;
      }
      id =
          OutboundMessage.isConversationId(message.id())
              ? message.id()
              : BatonHeaderCodec.newMessageId();
      inbound.baggage = inbound.baggage.toBuilder().put(Conversation.BAGGAGE_KEY, id).build();
    }
    Ledger carried = ledger(headers, message.destination());
    if (carried == null) {
      // A peer's first message, or a sender without conversations: the totals begin at its send.
      carried = Ledger.begin(inbound.sentAtMicros >= 0 ? inbound.sentAtMicros : Spans.nowMicros());
    }
    ConversationBudget policy = baton.budgetFor(message.destination());
    if (!policy.isUnlimited()) {
      carried = ConversationAccess.parts().tighten(carried, policy);
    }
    inbound.conversation =
        ConversationAccess.parts()
            .received(id, carried, baton.agentName(), startNanos, events.listeners());
    String over = carried.overBudget(Spans.nowMicros());
    if (over != null || carried.trail.isEmpty()) {
      return over;
    }
    String[] cycle = Trail.cycle(carried.trail, selfTag, baton.loopRepeats());
    if (cycle == null) {
      return null;
    }
    boolean stop = baton.breaksLoopsOn(message.destination());
    loop(cycle, inbound, message, id, stop);
    return stop ? LOOP : null;
  }

  /** Reports a loop: one WARN per cycle per minute, the listeners. Never throws. */
  private void loop(String[] tags, Inbound inbound, Message message, String id, boolean stop) {
    try {
      String[] names = new String[tags.length];
      int first = 0;
      for (int i = 0; i < tags.length; i++) {
        if (tags[i].equals(selfTag)) {
          names[i] = baton.agentName();
        } else if (inbound.senderName != null && tags[i].equals(Trail.tag(inbound.senderName))) {
          names[i] = inbound.senderName;
        } else {
          names[i] = "#" + tags[i];
        }
        if (names[i].compareTo(names[first]) < 0) {
          first = i;
        }
      }
      StringBuilder cycle = new StringBuilder();
      for (int i = 0; i < names.length; i++) {
        if (i > 0) {
          cycle.append('>');
        }
        cycle.append(names[(first + i) % names.length]);
      }
      String text = cycle.toString();
      LOOPS.log(
          text,
          "Baton {} agent '{}' sees the conversation {} loop through {} on '{}' ({} times in a"
              + " row){}",
          wire.system(),
          baton.agentName(),
          id,
          text,
          message.destination(),
          baton.loopRepeats(),
          stop ? "; the message is refused" : "");
      if (events.listening()) {
        TransportListener.Loop event =
            new TransportListener.Loop(
                wire.system(), baton.agentName(), message.destination(), text, stop, id);
        events.listeners().emit(l -> l.onLoop(event));
      }
    } catch (RuntimeException e) {
      events.telemetryFailure("loop", e);
    }
  }

  /** The totals after the sender's name in Baton's header, or null (none, or malformed). */
  private @Nullable Ledger ledger(@Nullable H headers, String destination) {
    CharSequence value = headers == null ? null : wire.lastAscii(headers, BatonHeaderCodec.NAME);
    // Nothing before the name holds a space (digits, an id without spaces): the first one starts
    // the totals.
    int space = value == null ? -1 : AsciiBytes.indexOf(value, ' ', 0);
    if (space < 0) {
      return null;
    }
    Ledger ledger = Ledger.parse(value, space + 1, value.length());
    if (ledger == null) {
      events.reject(destination, RejectionReason.INVALID_BATON_HEADER, true);
    }
    return ledger;
  }

  /**
   * Settles a message the agent's policy refuses without calling the handler: the settler's refuse
   * (the broker's way to drop it for good), an empty reply with {@code baton-refused} when it is a
   * request, the span and the listeners told. Never throws.
   */
  private void refuse(
      Delivery delivery,
      Message message,
      String reason,
      Span span,
      Settler settler,
      long startNanos,
      @Nullable Conversation conversation) {
    String errorType = REFUSED;
    Throwable error = null;
    try (Scope quiet = JavaAgent.enterQuiet()) {
      settler.refuse(reason);
    } catch (Exception e) {
      errorType = e.getClass().getName();
      error = e;
    }
    TransportSubscriber.ReplyChannel channel = replies;
    if (delivery.replyTo() != null && channel != null) {
      try {
        channel.reply(
            OutboundMessage.of(delivery.replyTo(), new byte[0])
                .withHeader(BatonHeaders.REFUSED, reason),
            message.id());
      } catch (Exception e) {
        events.telemetryFailure("refuse", e);
      }
    }
    try {
      if (span.isRecording()) {
        span.setAttribute(SemConv.REFUSED, reason);
        if (conversation != null) {
          totals(span, conversation); // what put it over
        }
      }
    } catch (RuntimeException e) {
      events.telemetryFailure("span", e);
    }
    Spans.recordError(span, errorType, error);
    if (events.listening()) {
      TransportListener.Refused refused =
          new TransportListener.Refused(
              wire.system(),
              baton.agentName(),
              delivery.lowCardinalityDestination(),
              reason,
              conversation == null ? null : conversation.id(),
              message.sender());
      events.listeners().emit(l -> l.onRefused(refused));
      processed(delivery, Outcome.REFUSED, System.nanoTime() - startNanos, errorType, -1, -1, null);
    }
    try {
      span.end();
    } catch (RuntimeException e) {
      events.telemetryFailure("span", e);
    }
  }

  /** Watches the handler while it holds the broker's message (HandlerWatch), or null. */
  private HandlerWatch.@Nullable Slot watch(Settler settler) {
    try {
      return HandlerWatch.begin(settler, baton.maxHandlerNanos(), watchFailures);
    } catch (RuntimeException | LinkageError e) {
      events.telemetryFailure("process", e);
      return null;
    }
  }

  private void received(Delivery delivery, Inbound inbound) {
    try {
      long latencyNanos =
          inbound.sentAtMicros >= 0
              ? Math.max(0, (Spans.nowMicros() - inbound.sentAtMicros) * 1000)
              : -1;
      events.received(
          new TransportListener.Received(
              wire.system(),
              baton.agentName(),
              delivery.lowCardinalityDestination(),
              delivery.group(),
              inbound.senderName,
              delivery.payload().length,
              latencyNanos,
              Math.max(1, delivery.deliveryCount())));
    } catch (RuntimeException | LinkageError e) {
      events.telemetryFailure("process", e);
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
    Context parent = Spans.rootWithHops(newTrace || sender == null ? 0 : inbound.hops);
    if (sender != null && !newTrace) {
      // Baton's parsed context is its own non-recording span: no Span.wrap object per message.
      // Not under the Java agent, whose context bridges only the spans Span.wrap makes.
      parent =
          parent.with(sender instanceof Span own && !JavaAgent.present() ? own : Span.wrap(sender));
    }
    if (!inbound.baggage.isEmpty()) {
      parent = parent.with(inbound.baggage);
    }
    if (inbound.conversation != null) {
      parent = ConversationAccess.parts().store(parent, inbound.conversation);
    }
    Names.Destination named =
        names.of(delivery.destination(), delivery.destinationTemplate(), delivery.temporary());
    if (sender != null && !newTrace && JavaAgent.present()) {
      Span adopted = adopt(sender, named, delivery, message, inbound);
      // The agent's own span goes into the context: the agent bridges only its spans.
      if (adopted != null) {
        return parent.with(adopted);
      }
    }
    if (sender != null && !newTrace && !sender.isSampled() && dropsUnsampledChildren) {
      // The sampler would drop this hop's span (SdkSampling): none is built, the sender's
      // context is the handler's, and a kept hop (keep) hangs under the sender's span.
      return parent;
    }
    SpanBuilder builder =
        tracer.spanBuilder(named.processName()).setSpanKind(SpanKind.CONSUMER).setParent(parent);
    // A sampled sender's child is recorded under the usual parent-based sampler.
    boolean likelySampled = sender != null && !newTrace && sender.isSampled();
    if (likelySampled) {
      decorate(
          AttributeSink.of(builder), named, delivery, message, inbound, sender, newTrace, overHops);
    }
    Span span = builder.startSpan();
    try {
      if (!likelySampled && span.isRecording()) {
        decorate(
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
      events.telemetryFailure("process", e);
    }
    return parent.with(span);
  }

  /**
   * Under the Java agent, the agent's CONSUMER span for this very delivery (jnats' handlers run
   * inside one, a child of the same sender), taken on with Baton's attributes; else {@code null}.
   */
  private @Nullable Span adopt(
      SpanContext sender,
      Names.Destination named,
      Delivery delivery,
      Message message,
      Inbound inbound) {
    Span agents = JavaAgent.agentProcessSpan();
    if (agents == null || !agents.getSpanContext().getTraceId().equals(sender.getTraceId())) {
      return null;
    }
    if (agents.isRecording()) {
      if (names.genAi()) {
        agents.updateName(named.processName());
      }
      decorate(AttributeSink.of(agents), named, delivery, message, inbound, sender, false, false);
      if (delivery.detail() != null) {
        delivery.detail().addTo(agents);
      }
    }
    return agents;
  }

  private void decorate(
      AttributeSink sink,
      Names.Destination named,
      Delivery delivery,
      Message message,
      Inbound inbound,
      @Nullable SpanContext sender,
      boolean newTrace,
      boolean overHops) {
    sink.putAll(named.process());
    if (!named.carriesName()) {
      sink.put(SemConv.DESTINATION_NAME, delivery.destination());
    }
    if (names.genAi()) {
      // A request and its reply return to the caller; any other hand-off passes control on.
      sink.put(
          SemConv.GEN_AI_TRANSFER_MODE,
          delivery.replyTo() != null || delivery.temporary() ? "return_to_caller" : "pass_control");
    }
    sink.put(SemConv.MESSAGE_ID, message.id());
    sink.put(SemConv.BODY_SIZE, (long) delivery.payload().length);
    sink.put(SemConv.DELIVERY_COUNT, (long) Math.max(1, delivery.deliveryCount()));
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
    if (inbound.conversation != null) {
      sink.put(SemConv.GEN_AI_CONVERSATION_ID, inbound.conversation.id());
    }
  }

  private void finish(
      Delivery delivery,
      Message message,
      Inbound inbound,
      Span span,
      @Nullable Throwable failure,
      boolean gaveUp,
      Settler settler,
      long startNanos,
      long cpuNanos,
      long allocatedBytes)
      throws Exception {
    Outcome outcome = failure == null ? Outcome.ACK : Outcome.NAK;
    String errorType = failure == null ? null : failure.getClass().getName();
    Throwable toThrow = failure;
    try (Scope quiet = JavaAgent.enterQuiet()) {
      if (gaveUp) {
        // The watch gave the message up past the maximum handler time: settled already.
        outcome = Outcome.ABANDONED;
        errorType = HANDLER_TIMEOUT;
      } else if (failure == null) {
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
        Spans.recordError(span, settleError.getClass().getName(), settleError);
      }
    }
    if (errorType != null) {
      Spans.recordError(span, errorType, toThrow);
    }
    if (inbound.conversation != null && span.isRecording()) {
      totals(span, inbound.conversation);
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
        events.telemetryFailure("span", e);
      }
    }
    long elapsedNanos = System.nanoTime() - startNanos;
    String kept = null;
    if (!span.isRecording() && span.getSpanContext().isValid()) {
      kept = keepReason(toThrow != null || gaveUp, elapsedNanos);
      if (kept != null) {
        keep(
            kept,
            span,
            delivery,
            message,
            inbound,
            elapsedNanos,
            errorType,
            toThrow,
            cpuNanos,
            allocatedBytes);
      }
    }
    if (events.listening()) {
      // Before the span ends: a listener may still mark it (an exemplar's span).
      processed(delivery, outcome, elapsedNanos, errorType, cpuNanos, allocatedBytes, kept);
    }
    try {
      span.end();
    } catch (RuntimeException e) {
      events.telemetryFailure("span", e);
    }
    if (toThrow != null) {
      Spans.<RuntimeException>sneakyThrow(toThrow);
    }
  }

  private void processed(
      Delivery delivery,
      Outcome outcome,
      long elapsedNanos,
      @Nullable String errorType,
      long cpuNanos,
      long allocatedBytes,
      @Nullable String kept) {
    events.processed(
        new TransportListener.Processed(
            wire.system(),
            baton.agentName(),
            delivery.lowCardinalityDestination(),
            delivery.group(),
            outcome,
            elapsedNanos,
            errorType,
            cpuNanos,
            allocatedBytes,
            kept));
  }

  /** The conversation's totals so far, this hop's included, on the process span. Never throws. */
  private void totals(Span span, Conversation conversation) {
    try {
      span.setAttribute(SemConv.CONVERSATION_HOPS, conversation.hops());
      span.setAttribute(SemConv.CONVERSATION_AGENTS, conversation.agents());
      span.setAttribute(SemConv.CONVERSATION_INPUT_TOKENS, conversation.inputTokens());
      span.setAttribute(SemConv.CONVERSATION_OUTPUT_TOKENS, conversation.outputTokens());
      span.setAttribute(SemConv.CONVERSATION_COST, conversation.cost());
      span.setAttribute(
          SemConv.CONVERSATION_HANDLER_TIME, conversation.handlerTime().toNanos() / 1e9);
      span.setAttribute(SemConv.CONVERSATION_DURATION, conversation.elapsed().toNanos() / 1e9);
    } catch (RuntimeException e) {
      events.telemetryFailure("span", e);
    }
  }

  /** Why a hop the sampler did not record is recorded anyway, or {@code null}. */
  private @Nullable String keepReason(boolean failed, long elapsedNanos) {
    if (failed && baton.keepFailures()) {
      return "failure";
    }
    long slow = baton.keepSlowerThanNanos();
    return slow > 0 && elapsedNanos > slow ? "slow" : null;
  }

  /**
   * Records a hop the sampler did not record: a process span of its own, in the message's trace
   * under the unrecorded process span's id, or the sender's span's when no process span was built
   * (marked sampled, so the usual parent-based sampler records it), linked to the sender's span,
   * from the delivery's start until now. Never throws.
   */
  private void keep(
      String reason,
      Span unrecorded,
      Delivery delivery,
      Message message,
      Inbound inbound,
      long elapsedNanos,
      @Nullable String errorType,
      @Nullable Throwable error,
      long cpuNanos,
      long allocatedBytes) {
    try {
      SpanContext own = unrecorded.getSpanContext();
      SpanContext parent =
          SpanContext.create(
              own.getTraceId(), own.getSpanId(), TraceFlags.getSampled(), own.getTraceState());
      Names.Destination named =
          names.of(delivery.destination(), delivery.destinationTemplate(), delivery.temporary());
      long endEpochNanos = Spans.nowMicros() * 1000;
      SpanBuilder builder =
          tracer
              .spanBuilder(named.processName())
              .setSpanKind(SpanKind.CONSUMER)
              .setParent(Context.root().with(Span.wrap(parent)))
              .setStartTimestamp(endEpochNanos - elapsedNanos, TimeUnit.NANOSECONDS);
      decorate(
          AttributeSink.of(builder),
          named,
          delivery,
          message,
          inbound,
          inbound.sender,
          false,
          false);
      builder.setAttribute(SemConv.KEPT, reason);
      if (inbound.sender != null) {
        builder.addLink(inbound.sender);
      }
      Span span = builder.startSpan();
      if (errorType != null) {
        Spans.recordError(span, errorType, error);
      }
      if (cpuNanos >= 0) {
        span.setAttribute(SemConv.HANDLER_CPU_TIME, cpuNanos / 1e9);
      }
      if (allocatedBytes >= 0) {
        span.setAttribute(SemConv.HANDLER_ALLOCATED_BYTES, allocatedBytes);
      }
      span.end(endEpochNanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException | LinkageError e) {
      events.telemetryFailure("process", e);
    }
  }

  /** See {@link MessagingEngine#readMessage}. */
  Message readMessage(Delivery delivery, @Nullable H headers) {
    return message(delivery, headers, read(Inbound.empty(), delivery, headers, false));
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
      events.telemetryFailure("extract", e);
      return null;
    }
  }

  /** See {@link MessagingEngine#startPoll}. */
  Poll startPoll(String destination, String group, Instant start, Instant end, int count) {
    Span span = Span.getInvalid();
    if (baton.isHousekeeping(destination)) {
      return new Poll(events, span, end);
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
      events.telemetryFailure("poll", e);
    }
    return new Poll(events, span, end);
  }

  private Inbound read(Inbound into, Delivery delivery, @Nullable H headers, boolean quiet) {
    Inbound inbound;
    try {
      inbound = Inbound.read(into, headers, wire, wire.idHeader(), names);
      if (quiet) {
        // Housekeeping carries no context by design: nothing to report about it.
        return inbound;
      }
    } catch (RuntimeException | LinkageError e) {
      events.telemetryFailure("extract", e);
      into.release(); // half read: the delivery goes on with nothing read
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
        events.telemetryFailure("extract", e);
      }
    }
    if (inbound.rejections != 0) {
      for (RejectionReason reason : RejectionReason.values()) {
        if (inbound.rejected(reason)) {
          events.reject(delivery.destination(), reason, true);
        }
      }
    }
    return inbound;
  }

  /**
   * The handler's message: its headers and the id inside Baton's header are read from the broker's
   * message only when the handler asks (100 B less per message where it does not).
   */
  private Message message(Delivery delivery, @Nullable H headers, Inbound inbound) {
    String id =
        inbound.hasId() ? inbound.messageId : BatonHeaderCodec.newMessageId(); // null: in source
    return MESSAGES.received(
        delivery.destination(),
        headers,
        headerReader,
        delivery.payload(),
        id,
        inbound.idSource,
        inbound.idStart,
        inbound.idEnd,
        inbound.senderName,
        delivery.replyTo(),
        Math.max(1, delivery.deliveryCount()));
  }
}
