/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * For transport authors, not agent code: the one tracing engine every Baton transport shares.
 *
 * <p>A transport implements a {@link dev.baton.propagation.spi.Wire} for its header type, gets a
 * {@link dev.baton.propagation.spi.MessagingEngine} from the agent's {@link
 * dev.baton.propagation.Baton}, and uses its send template ({@link
 * dev.baton.propagation.spi.MessagingEngine#startSend}, {@link dev.baton.propagation.spi.Send}) and
 * receive template ({@link dev.baton.propagation.spi.MessagingEngine#deliver} with a {@link
 * dev.baton.propagation.spi.Settler}). Everything else (W3C trace context and baggage, messaging
 * spans, the continuation, hop and baggage policies, rejection accounting, listener events) is
 * written once, here.
 */
@NullMarked
package dev.baton.propagation.spi;

import org.jspecify.annotations.NullMarked;
