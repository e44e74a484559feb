/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Backplane metrics: {@link dev.baton.metrics.BackplaneMetrics} turns the transport listener SPI
 * into Micrometer meters (Prometheus-safe names and bounded labels), {@link
 * dev.baton.metrics.PrometheusScrape} serves them, and {@code prometheus/alerts.yml} alerts on
 * them. Nothing here knows a broker client.
 */
@NullMarked
package dev.baton.metrics;

import org.jspecify.annotations.NullMarked;
