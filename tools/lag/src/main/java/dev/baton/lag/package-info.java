/**
 * {@code baton-lag}, a standalone command: consumer lag read from the brokers with no agent
 * running. Not a library: its entry point is {@link dev.baton.lag.LagMain}.
 */
@NullMarked
package dev.baton.lag;

import org.jspecify.annotations.NullMarked;
