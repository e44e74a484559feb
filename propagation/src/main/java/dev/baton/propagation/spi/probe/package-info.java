/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * For transport authors: helpers for a transport's backlog probe, which reads consumer lag and
 * queue depth off the message path. {@link dev.baton.propagation.spi.probe.ProbeSchedule} runs the
 * probe on its interval, {@link dev.baton.propagation.spi.probe.LagClock} turns positions into lag
 * seconds, {@link dev.baton.propagation.spi.probe.ConsumerPresence} tells which groups have a
 * consumer running, and {@link dev.baton.propagation.spi.probe.DeniedCalls} reports a call the
 * broker refused once and retries it later. A transport without a probe needs none of them.
 */
@NullMarked
package dev.baton.propagation.spi.probe;

import org.jspecify.annotations.NullMarked;
