/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.metrics;

import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener.Backlog;
import dev.baton.transport.TransportListener.ConnectionChange;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.QueueDepth;
import dev.baton.transport.TransportListener.Received;
import dev.baton.transport.TransportListener.Sent;
import dev.baton.transport.TransportListener.SubscriptionChange;
import dev.baton.transport.TransportListener.SubscriptionState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Prints the scrape the README shows: one planner handing three tasks to a writer over Kafka. */
public final class SampleScrape {

  private SampleScrape() {}

  public static void main(String[] args) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    metrics.onConnection(new ConnectionChange("kafka", ConnectionEvent.CONNECTED, "up"));
    metrics.onSubscription(
        new SubscriptionChange("kafka", "tasks", "writers", SubscriptionState.STARTED));
    for (int i = 0; i < 3; i++) {
      metrics.onSent(new Sent("kafka", "planner", "tasks", 420, 4_000_000, null));
      metrics.onReceived(
          new Received("kafka", "writer", "tasks", "writers", "planner", 420, 12_000_000, 1));
      metrics.onProcessed(
          new Processed(
              "kafka",
              "writer",
              "tasks",
              "writers",
              i == 2 ? Outcome.NAK : Outcome.ACK,
              800_000_000,
              i == 2 ? "java.io.IOException" : null));
    }
    metrics.onBacklog(new Backlog("kafka", "tasks", "writers", "0", 1, Double.NaN, 0.8));
    metrics.onQueueDepth(new QueueDepth("kafka", "tasks", "writers", 0, 0));
    System.out.print(registry.scrape());
  }
}
