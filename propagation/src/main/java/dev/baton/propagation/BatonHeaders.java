/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

/**
 * The header names Baton writes and reads, W3C's and its own. Outside callers that want Baton's
 * delivery latency, hop count or sender name without writing {@code baton} may send the separate
 * headers below; Baton reads them only when {@code baton} is absent.
 */
public final class BatonHeaders {

  /** W3C Trace Context. */
  public static final String TRACEPARENT = "traceparent";

  /** W3C Trace Context vendor state. */
  public static final String TRACESTATE = "tracestate";

  /** W3C Baggage. */
  public static final String BAGGAGE = "baggage";

  /**
   * Baton's one header on every message: {@code <hop>;<sent-at, µs since the epoch>;<message
   * id>;<sending agent's name>}. The id is empty when it travels in the transport's id header. With
   * conversations on, a space and the conversation's running totals follow the name ({@code
   * h=<hops>,a=<agents>.<sketch>,t0=<µs>[,ti=..][,to=..][,c=..][,ht=..]}; see the README).
   */
  public static final String BATON = "baton";

  /**
   * Why Baton refused a message by its agent's conversation policy ({@code conversation_required}):
   * on the empty reply to a refused request (a Baton requester completes with {@link
   * dev.baton.transport.RefusedException}) and on a refused record's dead-letter copy.
   */
  public static final String REFUSED = "baton-refused";

  /** For outside callers: when the message was sent, in microseconds since the epoch. */
  public static final String SENT_AT = "baton-sent-at";

  /** For outside callers: the message's hop number within its trace, 1 for the first hand-off. */
  public static final String HOPS = "baton-hops";

  /** For outside callers: the sending agent's name. */
  public static final String AGENT = "baton-agent";

  private BatonHeaders() {}
}
