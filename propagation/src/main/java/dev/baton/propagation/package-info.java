/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * What agent code sees of Baton's tracing: {@link dev.baton.propagation.Baton} (the agent's
 * identity, its OpenTelemetry instance, its policies and listeners), {@link
 * dev.baton.propagation.Continuation}, {@link dev.baton.propagation.BaggagePolicy} and the header
 * names in {@link dev.baton.propagation.BatonHeaders}. Hand a {@code Baton} to a transport; the
 * engine transports share lives in {@code dev.baton.propagation.spi}.
 */
@NullMarked
package dev.baton.propagation;

import org.jspecify.annotations.NullMarked;
