/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * {@code baton-lag}, a standalone command: consumer lag read from the brokers with no agent
 * running. Not a library: its entry point is {@link dev.baton.lag.LagMain}.
 */
@NullMarked
package dev.baton.lag;

import org.jspecify.annotations.NullMarked;
