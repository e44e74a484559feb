/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Baton for Spring Boot 4: auto-configuration of {@code Baton} from {@code baton.*} properties, a
 * {@code NatsBaton} for the application's jnats {@code Connection}, a {@code KafkaBaton} from
 * {@code spring.kafka.*}, {@code BackplaneMetrics} on the application's {@code MeterRegistry},
 * Actuator health indicators in the readiness and liveness groups, and the agent's heartbeats.
 */
@NullMarked
package dev.baton.spring;

import org.jspecify.annotations.NullMarked;
