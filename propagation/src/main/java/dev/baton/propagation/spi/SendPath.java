package dev.baton.propagation.spi;

import dev.baton.propagation.BaggagePolicy;
import dev.baton.propagation.Baton;
import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.internal.BaggageCodec;
import dev.baton.propagation.internal.BatonHeaderCodec;
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
  }

  /** See {@link MessagingEngine#startSend}. */
  Send<H> startSend(OutboundMessage message, SendOptions options, H headers) {
    long startNanos = System.nanoTime();
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
    try {
      if (baton.isHousekeeping(destination)) {
        // Housekeeping: Baton's header (sent-at, id) for the metrics, no context, no span.
        writeBatonHeader(headers, 1, idInHeader ? null : id, !idInHeader, idHi, idLo);
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
          // wrapper, not the caller's span: the send ends its span, never the caller's.
          span = Span.wrap(callerContext);
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
            decorate(AttributeSink.of(builder), named, message, options, id, hop, restart);
          }
          span = builder.startSpan();
          if (!likelySampled && span.isRecording()) {
            if (id == null) {
              id = BatonHeaderCodec.hex(idHi, idLo);
            }
            decorate(AttributeSink.of(span), named, message, options, id, hop, restart);
          }
        }
        inject(headers, span, parent, message);
        writeBatonHeader(headers, hop, idInHeader ? null : id, !idInHeader, idHi, idLo);
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
        idHi,
        idLo);
  }

  /** The send span's attributes: on the builder when likely sampled, else once recording. */
  private static void decorate(
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
        events.reject(message.destination(), RejectionReason.BAGGAGE_NOT_SENT, false);
      }
    }
  }

  private void writeBatonHeader(
      H headers, int hop, @Nullable String id, boolean idInBatonHeader, long idHi, long idLo) {
    boolean generated = idInBatonHeader && id == null;
    long now = Spans.nowMicros();
    if (wire.holdsBytes()) {
      wire.setAscii(
          headers,
          BatonHeaderCodec.NAME,
          BatonHeaderCodec.formatBytes(hop, now, id, generated, idHi, idLo, baton.agentName()));
    } else {
      wire.set(
          headers,
          BatonHeaderCodec.NAME,
          BatonHeaderCodec.format(hop, now, id, generated, idHi, idLo, baton.agentName()));
    }
  }
}
