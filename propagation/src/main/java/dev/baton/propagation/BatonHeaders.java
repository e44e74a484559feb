package dev.baton.propagation;

/** The header names Baton writes on every message, W3C's and its own. */
public final class BatonHeaders {

  /** W3C Trace Context. */
  public static final String TRACEPARENT = "traceparent";

  /** W3C Trace Context vendor state. */
  public static final String TRACESTATE = "tracestate";

  /** W3C Baggage. */
  public static final String BAGGAGE = "baggage";

  /** When the sender handed the message to its client, in microseconds since the epoch. */
  public static final String SENT_AT = "baton-sent-at";

  /** The message's hop number within its trace, 1 for the first hand-off. */
  public static final String HOPS = "baton-hops";

  /** The sending agent's name. */
  public static final String AGENT = "baton-agent";

  /** The sending agent's id. */
  public static final String AGENT_ID = "baton-agent-id";

  private BatonHeaders() {}
}
