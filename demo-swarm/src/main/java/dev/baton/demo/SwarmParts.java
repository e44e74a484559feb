package dev.baton.demo;

import dev.baton.metrics.BackplaneMetrics;

/** What every agent gets from the swarm. */
record SwarmParts(SwarmConfig config, BackplaneMetrics metrics) {}
