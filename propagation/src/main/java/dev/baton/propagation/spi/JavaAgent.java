/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.internal.WarnOnce;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.api.internal.SpanKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Baton under the OpenTelemetry Java agent: each hop recorded once.
 *
 * <p>The agent instruments jnats and kafka-clients by itself, so without this every Baton send and
 * receive would be recorded twice (the agent's span and Baton's). Baton keeps its own spans, which
 * carry what the agent's cannot (agent identity, hop, baggage policy, outcome), and has the agent
 * stand aside for the clients Baton drives, through the agent's own mechanism for nested
 * instrumentation: Baton's PRODUCER span is stored under {@link SpanKey#PRODUCER} in the context
 * current around the client's send, which the agent bridges into its context and reads as "this
 * send is recorded already" (no span of its own, no second traceparent). Where the agent's span is
 * started before Baton can act (jnats runs every {@code MessageHandler} inside the agent's {@code
 * process} span), Baton adopts that span as its CONSUMER span instead of starting a second one.
 * Clients Baton does not own keep the agent's instrumentation.
 *
 * <p>Without the agent, every method here is a no-op after one check at class load.
 */
public final class JavaAgent {

  private static final WarnOnce WARN = new WarnOnce(LoggerFactory.getLogger(JavaAgent.class));
  private static final boolean PRESENT = detect();

  private JavaAgent() {}

  /** {@return whether this JVM runs the OpenTelemetry Java agent (and Baton can defer to it)} */
  public static boolean present() {
    return PRESENT;
  }

  private static boolean detect() {
    try {
      // The agent puts its bootstrap classes on the boot class path.
      Class.forName("io.opentelemetry.javaagent.bootstrap.AgentInitializer", false, null);
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
    try {
      SpanKey.PRODUCER.fromContextOrNull(Context.root());
      return true;
    } catch (LinkageError e) {
      WARN.log(
          "no-span-key",
          "The OpenTelemetry Java agent is running, but io.opentelemetry.instrumentation:"
              + "opentelemetry-instrumentation-api is not on the class path ({}): the agent records"
              + " every Baton send and receive a second time. Keep that dependency (Baton's"
              + " propagation module brings it).",
          e.toString());
      return false;
    }
  }

  /**
   * The context for a broker client's send call: {@code context} with {@code span} stored as the
   * agent's producer span, so the agent does not record the send again; {@code context} itself
   * without the agent.
   */
  static Context forClientSend(Context context, Span span) {
    if (!PRESENT || !span.getSpanContext().isValid()) {
      return context;
    }
    return SpanKey.PRODUCER.storeInContext(context, span);
  }

  /**
   * Makes current, around Baton's own calls to the broker that are not sends of a message (a
   * JetStream acknowledgement, an in-progress ack), a context that tells the agent they are
   * recorded already, so they add no PRODUCER span to the message's trace; a no-op scope without
   * the agent. Close it as soon as the call returns.
   */
  static Scope enterQuiet() {
    if (!PRESENT) {
      return Scope.noop();
    }
    Context current = Context.current();
    return SpanKey.PRODUCER.storeInContext(current, Span.fromContext(current)).makeCurrent();
  }

  /**
   * The agent's CONSUMER {@code process} span current around this delivery (jnats' message handlers
   * run inside one), or {@code null}: without the agent, or when the agent made none.
   */
  static @Nullable Span agentProcessSpan() {
    if (!PRESENT) {
      return null;
    }
    return SpanKey.CONSUMER_PROCESS.fromContextOrNull(Context.current());
  }

  /** Whether {@code span} is the agent's CONSUMER span current around this delivery. */
  static boolean isAgentProcessSpan(Span span) {
    Span agents = agentProcessSpan();
    return agents != null && agents.getSpanContext().equals(span.getSpanContext());
  }
}
