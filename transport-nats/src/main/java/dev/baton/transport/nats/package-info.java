/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Baton's NATS transport: {@link dev.baton.transport.nats.NatsBaton} wraps a jnats {@code
 * Connection} the user built (any options: TLS, credentials, server lists) and hands out traced
 * publishers and subscribers for core NATS and JetStream.
 */
@NullMarked
package dev.baton.transport.nats;

import org.jspecify.annotations.NullMarked;
