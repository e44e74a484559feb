/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The broker-neutral API agent code uses: {@link dev.baton.transport.Publisher}, {@link
 * dev.baton.transport.Subscriber}, the {@link dev.baton.transport.Message} and the {@link
 * dev.baton.transport.TransportListener} SPI through which observers (metrics, health) hear what
 * the transport does. Nothing here depends on a broker client or on OpenTelemetry.
 */
@NullMarked
package dev.baton.transport;

import org.jspecify.annotations.NullMarked;
