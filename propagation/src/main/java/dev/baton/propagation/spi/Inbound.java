/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.BatonHeaders;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.internal.AsciiBytes;
import dev.baton.propagation.internal.BaggageCodec;
import dev.baton.propagation.internal.BatonHeaderCodec;
import dev.baton.propagation.internal.SemConv;
import dev.baton.propagation.internal.TraceParent;
import dev.baton.propagation.internal.TraceStates;
import dev.baton.transport.RejectionReason;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import org.jspecify.annotations.Nullable;

/**
 * The context a received message carried, after every check. Never throws while reading: bad input
 * becomes a rejection reason (a bit in {@link #rejections}) and an empty part.
 */
final class Inbound {

  static final int MAX_HOPS = 1_000_000;

  @Nullable SpanContext sender;
  Baggage baggage = Baggage.empty();
  int hops;
  long sentAtMicros = -1;
  @Nullable String senderName;

  /** The message id when it came as a string (or was made); else see {@link #idSource}. */
  @Nullable String messageId;

  /**
   * Where the id is, when it came inside Baton's header: the header's string, or its bytes (Kafka),
   * characters {@code [idStart, idEnd)}. The handler's {@link dev.baton.transport.Message} makes
   * the string only if asked.
   */
  @Nullable Object idSource;

  int idStart;
  int idEnd;
  int rejections;

  /**
   * The conversation the handler runs in (conversations on), else null. One field: it fits the
   * object's padding, so an agent with conversations off pays nothing for it.
   */
  @Nullable Conversation conversation;

  /** Whether this is a thread's spare, lent to the delivery in hand (see {@link #borrow}). */
  private boolean lent;

  /** Where the wire puts the headers it found, reused with the spare. */
  private final Wire.Found found = new Wire.Found();

  private static final ThreadLocal<Inbound> SPARE = ThreadLocal.withInitial(Inbound::new);

  private Inbound() {}

  /** Nothing read: for a failure inside the reader. */
  static Inbound empty() {
    return new Inbound();
  }

  /**
   * This thread's spare, empty, when no delivery on the thread holds it (a delivery inside a
   * handler's gets a new one): one object per thread instead of one per message. Nothing keeps it
   * past the delivery; {@link #release} gives it back.
   */
  static Inbound borrow() {
    Inbound spare = SPARE.get();
    if (spare.lent) {
      return new Inbound();
    }
    spare.lent = true;
    return spare;
  }

  /** Gives a spare back, emptied (it holds nothing of the message); does nothing to another. */
  void release() {
    if (lent) {
      sender = null;
      baggage = Baggage.empty();
      hops = 0;
      sentAtMicros = -1;
      senderName = null;
      messageId = null;
      idSource = null;
      rejections = 0;
      conversation = null;
      lent = false;
    }
  }

  /** Whether the message carried an id (as a string or inside Baton's header). */
  boolean hasId() {
    return messageId != null || idSource != null;
  }

  boolean rejected(RejectionReason reason) {
    return (rejections & (1 << reason.ordinal())) != 0;
  }

  void reject(RejectionReason reason) {
    rejections |= 1 << reason.ordinal();
  }

  /**
   * Takes the context the configured propagator read: the sender's when no valid W3C context came
   * (a missing {@code traceparent} is then no longer a rejection; an invalid one still is), and a
   * {@link RejectionReason#CONFLICTING_CONTEXT} when W3C's names another span.
   */
  void configured(SpanContext read) {
    if (sender == null) {
      sender = read;
      rejections &= ~(1 << RejectionReason.MISSING_CONTEXT.ordinal());
    } else if (!sender.getTraceId().equals(read.getTraceId())
        || !sender.getSpanId().equals(read.getSpanId())) {
      reject(RejectionReason.CONFLICTING_CONTEXT);
    }
  }

  /** Reads {@code carrier} into {@code in} (empty: new, or borrowed). */
  static <C> Inbound read(
      Inbound in, @Nullable C carrier, Wire<C> getter, String idHeader, Names names) {
    if (carrier == null) {
      in.reject(RejectionReason.MISSING_CONTEXT);
      return in;
    }
    // Every header the engine reads, found at once (Kafka: one walk of the headers); traceparent
    // and Baton's header are parsed in place.
    Wire.Found found = in.found;
    getter.find(carrier, found);
    if (found.contextTwice
        || found.baggageTwice
        || (found.tracestateTwice && found.traceparent != null)) {
      in.reject(RejectionReason.DUPLICATE_HEADER);
    }
    CharSequence traceparent = found.traceparent;
    if (traceparent == null) {
      in.reject(RejectionReason.MISSING_CONTEXT);
    } else {
      String tracestate = found.tracestate;
      TraceState state =
          tracestate == null ? TraceState.getDefault() : TraceStates.parse(tracestate);
      boolean badState = state == null;
      in.sender = TraceParent.parse(traceparent, badState ? TraceState.getDefault() : state);
      if (in.sender == null) {
        in.reject(RejectionReason.INVALID_TRACEPARENT);
      } else if (badState) {
        in.reject(RejectionReason.INVALID_TRACESTATE);
      }
    }

    String baggageHeader = found.baggage;
    if (baggageHeader != null) {
      BaggageCodec.Parsed parsed = BaggageCodec.parse(baggageHeader);
      in.baggage = parsed.baggage();
      if (parsed.invalidMembers()) {
        in.reject(RejectionReason.INVALID_BAGGAGE);
      }
      if (parsed.overLimit()) {
        in.reject(RejectionReason.BAGGAGE_LIMIT_EXCEEDED);
      }
    }

    CharSequence baton = found.baton;
    if (baton != null) {
      in.readBaton(baton, names);
    } else {
      in.readSeparateHeaders(carrier, getter);
    }
    found.clear(); // nothing of the message kept past the read
    if (!in.hasId()) {
      String id = getter.last(carrier, idHeader);
      if (id != null && !id.isEmpty()) {
        in.messageId = id;
      }
    }
    return in;
  }

  /**
   * {@code <hop>;<sent-at>;<id>;<agent>[ <ledger>]}: a malformed field is left out and reported.
   */
  private void readBaton(CharSequence value, Names names) {
    int first = AsciiBytes.indexOf(value, ';', 0);
    int second = first < 0 ? -1 : AsciiBytes.indexOf(value, ';', first + 1);
    int third = second < 0 ? -1 : AsciiBytes.indexOf(value, ';', second + 1);
    if (third < 0) {
      reject(RejectionReason.INVALID_BATON_HEADER);
      return;
    }
    if (first > 0) {
      long hop = BatonHeaderCodec.parseDecimal(value, 0, first, 7);
      if (hop < 1 || hop > MAX_HOPS) {
        reject(RejectionReason.INVALID_BATON_HEADER);
      } else {
        hops = (int) hop;
      }
    }
    if (second > first + 1) {
      sentAtMicros = BatonHeaderCodec.parseDecimal(value, first + 1, second, 18);
      if (sentAtMicros < 0) {
        reject(RejectionReason.INVALID_BATON_HEADER);
      }
    }
    if (third > second + 1) {
      if (!BatonHeaderCodec.fits(value, second + 1, third)) {
        reject(RejectionReason.INVALID_BATON_HEADER);
      } else if (third <= 0xffff && value instanceof AsciiBytes bytes) {
        idSource = bytes.bytes(); // the record's own array; the wrapper is reused
        idStart = second + 1;
        idEnd = third;
      } else if (third <= 0xffff && value instanceof String) {
        idSource = value;
        idStart = second + 1;
        idEnd = third;
      } else {
        messageId = value.subSequence(second + 1, third).toString();
      }
    }
    int end = value.length();
    int space = AsciiBytes.indexOf(value, ' ', third + 1);
    if (space >= 0) {
      // A conversation's totals follow the name (which has no space): read only with
      // conversations on (ReceivePath).
      end = space;
    }
    if (third + 1 < end) {
      senderName = names.agentName(value, third + 1, end);
      if (senderName == null) {
        reject(RejectionReason.INVALID_BATON_HEADER);
      }
    }
  }

  /** What outside callers may write instead of Baton's one header. */
  private <C> void readSeparateHeaders(C carrier, Wire<C> getter) {
    String hopsHeader = last(carrier, getter, BatonHeaders.HOPS);
    if (hopsHeader != null) {
      long parsed = BatonHeaderCodec.parseDecimal(hopsHeader, 0, hopsHeader.length(), 7);
      if (parsed < 1 || parsed > MAX_HOPS) {
        reject(RejectionReason.INVALID_BATON_HEADER);
      } else {
        hops = (int) parsed;
      }
    }
    String sentAtHeader = last(carrier, getter, BatonHeaders.SENT_AT);
    if (sentAtHeader != null) {
      sentAtMicros = BatonHeaderCodec.parseDecimal(sentAtHeader, 0, sentAtHeader.length(), 18);
      if (sentAtMicros < 0) {
        reject(RejectionReason.INVALID_BATON_HEADER);
      }
    }
    String agent = last(carrier, getter, BatonHeaders.AGENT);
    if (agent != null) {
      if (SemConv.isIdentity(agent)) {
        senderName = agent;
      } else {
        reject(RejectionReason.INVALID_BATON_HEADER);
      }
    }
  }

  private <C> @Nullable String last(C carrier, Wire<C> getter, String key) {
    String value = getter.last(carrier, key);
    if (value != null && getter.repeated(carrier, key)) {
      reject(RejectionReason.DUPLICATE_HEADER);
    }
    return value;
  }
}
