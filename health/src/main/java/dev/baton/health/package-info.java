/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Health you can poll: {@link dev.baton.health.HealthCheck}s run by a {@link
 * dev.baton.health.HealthManager} (concurrently, each with a timeout, single-flight, cached),
 * served by a {@link dev.baton.health.HealthServer} as {@code /health}, {@code /health/ready},
 * {@code /health/live}, {@code /health/started} and {@code /health/agent/{id}}, with per-agent
 * {@link dev.baton.health.Heartbeats} over the bus. No broker client, no web framework.
 */
@NullMarked
package dev.baton.health;

import org.jspecify.annotations.NullMarked;
