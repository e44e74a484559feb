/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.BaggagePolicy;
import dev.baton.propagation.Baton;
import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.internal.BaggageCodec;
import dev.baton.propagation.internal.BatonHeaderCodec;
import dev.baton.propagation.internal.ConversationAccess;
import dev.baton.propagation.internal.Ledger;
import dev.baton.propagation.internal.RemoteSpanContext;
import dev.baton.propagation.internal.SemConv;
import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.internal.TraceStates;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.RejectionReason;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The engine's send template: the message id, the caller's headers, the PRODUCER span, W3C trace
 * context and baggage within the policy, and Baton's header. Never throws. Thread-safe.
 */
final class SendPath<H> {

  private final Baton baton;
  private final Wire<H> wire;
  private final Tracer tracer;
  private final Names names;
  private final @Nullable ConfiguredPropagator<H> configured;
  final TransportEvents events;
  final ReceivePath<H> receive;
  private final boolean dropsUnsampledChildren;
  private final ConversationMode conversations;
  // Which baggage keys leave: the policy's, and the conversation id whenever conversations travel.
  private final Predicate<String> leaves;

  SendPath(
      Baton baton,
      Wire<H> wire,
      Tracer tracer,
      Names names,
      @Nullable ConfiguredPropagator<H> configured,
      TransportEvents events,
      ReceivePath<H> receive,
      boolean dropsUnsampledChildren) {
    this.baton = baton;
    this.wire = wire;
    this.tracer = tracer;
    this.names = names;
    this.configured = configured;
    this.events = events;
    this.receive = receive;
    this.dropsUnsampledChildren = dropsUnsampledChildren;
    this.conversations = baton.conversations();
    BaggagePolicy policy = baton.baggagePolicy();
    this.leaves =
        conversations == ConversationMode.OFF
            ? policy::allows
            : key -> policy.allows(key) || Conversation.BAGGAGE_KEY.equals(key);
  }

  /** See {@link MessagingEngine#startSend}. */
  Send<H> startSend(OutboundMessage message, SendOptions options, H headers) {
    long startNanos = System.nanoTime();
    String destination = message.destination();
    Outgoing conversation =
        conversations == ConversationMode.OFF || baton.isHousekeeping(destination)
            ? null
            : conversation(message, Context.current());
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
    boolean idInHeader = options.idInIdHeader() || (id != null && !BatonHeaderCodec.fits(id));
    if (idInHeader) {
      if (id == null) {
        id = BatonHeaderCodec.hex(idHi, idLo);
      }
      wire.set(headers, wire.idHeader(), id);
    }
    Span span = Span.getInvalid();
    Context parent = Context.current();
    int hop = 1;
    Object idSource = null; // Baton's header, which holds a generated id
    try {
      if (baton.isHousekeeping(destination)) {
        // Housekeeping: Baton's header (sent-at, id) for the metrics, no context, no span.
        idSource =
            writeBatonHeader(headers, 1, idInHeader ? null : id, !idInHeader, idHi, idLo, null);
      } else {
        hop = Spans.hops(parent) + 1;
        boolean restart = hop > baton.hopLimit();
        if (restart) {
          hop = 1;
        }
        Span caller = Span.fromContext(parent);
        SpanContext callerContext = caller.getSpanContext();
        if (!restart
            && dropsUnsampledChildren
            && callerContext.isValid()
            && !callerContext.isSampled()) {
          // The sampler would drop this send's span (SdkSampling): none is built, and the
          // message carries the caller's context, as the hop's own would have (unsampled). A
          // wrapper, not the caller's span: the send ends its span, never the caller's. A sender's
          // context Baton read is such a span already (its end does nothing): no wrapper then (but
          // under the Java agent, whose context bridges only spans it knows).
          span =
              callerContext instanceof RemoteSpanContext remote && !JavaAgent.present()
                  ? remote
                  : Span.wrap(callerContext);
        } else {
          String template = options.destinationTemplate();
          Names.Destination named = names.of(destination, template, options.temporary());
          SpanBuilder builder = tracer.spanBuilder(named.sendName()).setSpanKind(SpanKind.PRODUCER);
          boolean likelySampled = false;
          if (restart) {
            builder.setNoParent();
            if (callerContext.isValid()) {
              builder.addLink(callerContext);
            }
          } else {
            builder.setParent(parent);
            likelySampled = callerContext.isSampled();
          }
          if (id == null && likelySampled) {
            id = BatonHeaderCodec.hex(idHi, idLo);
          }
          if (likelySampled) {
            decorate(
                AttributeSink.of(builder), named, message, options, id, hop, restart, conversation);
          }
          span = builder.startSpan();
          if (!likelySampled && span.isRecording()) {
            if (id == null) {
              id = BatonHeaderCodec.hex(idHi, idLo);
            }
            decorate(
                AttributeSink.of(span), named, message, options, id, hop, restart, conversation);
          }
        }
        inject(headers, span, parent, message, conversation);
        idSource =
            writeBatonHeader(
                headers,
                hop,
                idInHeader ? null : id,
                !idInHeader,
                idHi,
                idLo,
                conversation == null ? null : conversation.ledger(baton.agentName()));
      }
    } catch (RuntimeException | LinkageError e) {
      events.telemetryFailure("send", e);
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
        idSource);
  }

  /** The send span's attributes: on the builder when likely sampled, else once recording. */
  private static void decorate(
      AttributeSink sink,
      Names.Destination named,
      OutboundMessage message,
      SendOptions options,
      String id,
      int hop,
      boolean restart,
      @Nullable Outgoing conversation) {
    sink.putAll(named.send());
    if (!named.carriesName()) {
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
    if (conversation != null) {
      sink.put(SemConv.GEN_AI_CONVERSATION_ID, conversation.id);
    }
  }

  /**
   * The conversation a send carries and whether its id must be added to the baggage sent. The id is
   * the message's own, else the sending code's (its baggage), else one in a {@code baggage} header
   * the caller copied onto the message (a dead-letter copy), else a new one ({@link
   * ConversationMode#MINT}); {@link ConversationMode#REQUIRE} throws instead of minting.
   */
  private @Nullable Outgoing conversation(OutboundMessage message, Context current) {
    String own = message.conversation();
    Baggage baggage = Baggage.fromContext(current);
    String carried = baggage.getEntryValue(Conversation.BAGGAGE_KEY);
    if (carried != null && !OutboundMessage.isConversationId(carried)) {
      carried = null;
    }
    Conversation stored = ConversationAccess.parts().stored(current);
    if (own != null) {
      return new Outgoing(
          own, !own.equals(carried), stored != null && own.equals(stored.id()) ? stored : null);
    }
    if (carried != null) {
      return new Outgoing(
          carried, false, stored != null && carried.equals(stored.id()) ? stored : null);
    }
    try {
      String copied = message.headers().get(BatonHeaders.BAGGAGE);
      if (copied != null) {
        String id = BaggageCodec.parse(copied).baggage().getEntryValue(Conversation.BAGGAGE_KEY);
        if (id != null && OutboundMessage.isConversationId(id)) {
          // The copied header goes out as it is when the sending code has no baggage to send.
          return new Outgoing(id, !baggage.isEmpty(), null);
        }
      }
    } catch (RuntimeException e) {
      events.telemetryFailure("send", e);
    }
    if (message.headers().containsKey(BatonHeaders.REFUSED)) {
      // What Baton sends about a message it refused for having no conversation (the answer to a
      // request, a dead-letter copy) starts none.
      return null;
    }
    if (conversations == ConversationMode.REQUIRE) {
      throw new IllegalStateException(
          "this agent's Baton requires a conversation id on every message (ConversationMode"
              + ".REQUIRE) and the send to "
              + message.destination()
              + " has none: send it inside Conversation.begin(id), or with"
              + " OutboundMessage.withConversation(id), or set the W3C baggage member "
              + Conversation.BAGGAGE_KEY);
    }
    return new Outgoing(BatonHeaderCodec.newMessageId(), true, null);
  }

  /**
   * A send's conversation id, whether the baggage sent lacks it, and the conversation object the
   * sending code runs in (whose totals the message carries on), or null for totals that begin now.
   */
  private record Outgoing(String id, boolean add, @Nullable Conversation running) {
    Ledger ledger(String agent) {
      return running != null
          ? ConversationAccess.parts().onward(running, agent)
          : Ledger.begin(Spans.nowMicros()).onward(agent, 0, 0, 0, 0);
    }
  }

  private void inject(
      H headers,
      Span span,
      Context parent,
      OutboundMessage message,
      @Nullable Outgoing conversation) {
    SpanContext sc = span.getSpanContext();
    if (sc.isValid()) {
      if (wire.holdsBytes()) {
        wire.setAscii(headers, BatonHeaders.TRACEPARENT, TraceParent.formatBytes(sc));
      } else {
        wire.set(headers, BatonHeaders.TRACEPARENT, TraceParent.format(sc));
      }
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
          events.telemetryFailure("inject", e);
        }
      }
    }
    Baggage baggage = Baggage.fromContext(parent);
    if (conversation != null && conversation.add) {
      baggage = baggage.toBuilder().put(Conversation.BAGGAGE_KEY, conversation.id).build();
    }
    if (!baggage.isEmpty()) {
      BaggagePolicy policy = baton.baggagePolicy();
      int budget = policy.maxBytes();
      int room = wire.baggageRoom(headers, message.payload().length);
      if (room >= 0) {
        budget = Math.min(budget, room);
      }
      BaggageCodec.Encoded encoded =
          BaggageCodec.encode(baggage, leaves, policy.maxMembers(), budget);
      if (encoded.header() != null) {
        wire.set(headers, BatonHeaders.BAGGAGE, encoded.header());
      }
      if (encoded.dropped() > 0) {
        events.reject(message.destination(), RejectionReason.BAGGAGE_NOT_SENT, false);
      }
    }
  }

  /** Writes Baton's header; returns its value (bytes, or a string), which holds the id. */
  private Object writeBatonHeader(
      H headers,
      int hop,
      @Nullable String id,
      boolean idInBatonHeader,
      long idHi,
      long idLo,
      @Nullable Ledger ledger) {
    boolean generated = idInBatonHeader && id == null;
    long now = Spans.nowMicros();
    if (wire.holdsBytes()) {
      byte[] value =
          BatonHeaderCodec.formatBytes(
              hop, now, id, generated, idHi, idLo, baton.agentName(), ledger);
      wire.setAscii(headers, BatonHeaderCodec.NAME, value);
      return value;
    }
    String value =
        BatonHeaderCodec.format(hop, now, id, generated, idHi, idLo, baton.agentName(), ledger);
    wire.set(headers, BatonHeaderCodec.NAME, value);
    return value;
  }
}
