/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.lag;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/** Reads a running {@link BatonLag}'s endpoints, as Prometheus and a load balancer would. */
final class LagEndpoint {

  private final HttpClient http = HttpClient.newHttpClient();
  private final int port;

  LagEndpoint(BatonLag lag) {
    this(lag.port());
  }

  /** A baton-lag serving on {@code port} of 127.0.0.1 (the jar in a process of its own). */
  LagEndpoint(int port) {
    this.port = port;
  }

  HttpResponse<String> get(String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The value of {@code metric} for the series with {@code group} and {@code source="broker"} in
   * the scrape, if there is one.
   */
  OptionalDouble value(String metric, String group) {
    return get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith(metric + "{"))
        .filter(l -> l.contains("messaging_consumer_group_name=\"" + group + "\""))
        .filter(l -> l.contains("source=\"broker\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst();
  }

  boolean is(String metric, String group, double expected) {
    OptionalDouble v = value(metric, group);
    return v.isPresent() && v.getAsDouble() == expected;
  }

  String scrape() {
    return get("/metrics").body();
  }
}
