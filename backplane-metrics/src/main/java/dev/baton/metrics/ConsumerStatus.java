/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

/**
 * How a consumer group is doing, in the spirit of Burrow's evaluation. Exported as the gauge {@code
 * baton_consumer_status} with the values in parentheses.
 */
public enum ConsumerStatus {
  /** (0) Caught up, or making progress. */
  OK,
  /** (1) Behind, and the lag grew over the last three probes while messages are still processed. */
  WARN,
  /** (2) Behind, and nothing was processed successfully for longer than the stall threshold. */
  STALLED,
  /** (3) No subscription of this group is running in this process (closed or failed). */
  STOPPED
}
