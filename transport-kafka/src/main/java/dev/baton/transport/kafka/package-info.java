/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Baton's Kafka transport: {@link dev.baton.transport.kafka.KafkaBaton} builds traced publishers
 * and subscribers from the user's own client configuration (or an existing producer, such as one
 * wrapped by OpenTelemetry's Kafka instrumentation). Baton owns the poll loop: one thread per
 * subscription, at-least-once commits, a {@link dev.baton.transport.kafka.FailurePolicy} for
 * handler exceptions.
 */
@NullMarked
package dev.baton.transport.kafka;

import org.jspecify.annotations.NullMarked;
