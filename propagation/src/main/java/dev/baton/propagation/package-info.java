/**
 * The tracing engine both Baton transports share.
 *
 * <p>Agent code builds one {@link dev.baton.propagation.Baton} (the agent's identity, its
 * OpenTelemetry instance, its policies and listeners) and hands it to a transport. Transports use
 * {@link dev.baton.propagation.MessagingEngine} with one {@link
 * dev.baton.propagation.HeaderGetter}/{@link dev.baton.propagation.HeaderSetter} pair for their
 * header type; everything else (W3C trace context and baggage, messaging spans, the trace
 * continuation and hop policies, rejection accounting) is written once, here.
 */
@NullMarked
package dev.baton.propagation;

import org.jspecify.annotations.NullMarked;
