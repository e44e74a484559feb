/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthCheck;
import dev.baton.health.HealthStatus;
import dev.baton.transport.internal.Redaction;
import io.nats.client.Connection;
import io.nats.client.api.ServerInfo;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The NATS health check: the connection must be CONNECTED (else UNHEALTHY); a round trip (PING)
 * within the bound (default 100 ms) is HEALTHY, a slower one DEGRADED; with JetStream checking on,
 * the JetStream API must answer; for a minute after Baton found the connection stalled (see {@link
 * NatsBaton.Builder#setStallTimeout}) it is DEGRADED with the time it happened; in a cluster, while
 * the servers advertise fewer members than the most this check has seen (a member down, say after a
 * failover), it is DEGRADED with both numbers, and HEALTHY again once the member is back. When the
 * account may not call the JetStream API ({@code $JS.API.INFO}) the check is DEGRADED saying so,
 * and asks again once a minute rather than waiting out a request timeout each time. Details: the
 * round trip and the server (host and port only, never credentials). Thread-safe; the connection
 * stays the caller's.
 */
public final class NatsHealthCheck implements HealthCheck {

  private final Connection connection;
  private final String name;
  private final Duration degradedAbove;
  private final boolean jetStream;
  private final AtomicInteger mostMembers = new AtomicInteger();
  private final AtomicReference<String> jetStreamRefused = new AtomicReference<>();
  private volatile long jetStreamRefusedAt;

  /** How long a refused JetStream check waits before it asks again. */
  static final Duration RETRY_REFUSED = Duration.ofMinutes(1);

  private NatsHealthCheck(Builder b) {
    this.connection = b.connection;
    this.name = b.name;
    this.degradedAbove = b.degradedAbove;
    this.jetStream = b.jetStream;
  }

  /**
   * {@return a builder for a check of {@code connection}}
   *
   * @param connection the connection to check
   */
  public static Builder builder(Connection connection) {
    return new Builder(Objects.requireNonNull(connection, "connection"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> dependencies() {
    String server = server();
    return server == null ? List.of() : List.of("nats://" + server);
  }

  @Override
  public CheckResult check() throws Exception {
    Connection.Status status = connection.getStatus();
    String server = server();
    if (status != Connection.Status.CONNECTED) {
      CheckResult down = CheckResult.unhealthy("connection is " + status);
      return server == null ? down : down.withDetail("server", server);
    }
    Duration rtt = connection.RTT();
    Instant stalled = StallWatchdog.lastStall(connection);
    int members = clusterMembers();
    int most = mostMembers.accumulateAndGet(members, Math::max);
    CheckResult result;
    if (stalled != null
        && Duration.between(stalled, Instant.now()).compareTo(StallWatchdog.REMEMBERED) < 0) {
      result =
          CheckResult.degraded(
              "the connection stopped reading at "
                  + stalled
                  + " (a message the client could not parse?) and was reconnected");
    } else if (members < most) {
      result =
          CheckResult.degraded(
              "the cluster advertises "
                  + members
                  + " servers where it had "
                  + most
                  + ": a member is down or left");
    } else if (rtt.compareTo(degradedAbove) > 0) {
      result =
          CheckResult.degraded(
              "round trip " + rtt.toMillis() + " ms, over " + degradedAbove.toMillis() + " ms");
    } else {
      result = CheckResult.healthy();
    }
    result = result.withDetail("rtt_ms", rtt.toNanos() / 1_000_000.0);
    if (most > 0) {
      result = result.withDetail("cluster_servers", members);
    }
    if (server != null) {
      result = result.withDetail("server", server);
    }
    if (jetStream) {
      String refused = jetStreamRefused.get();
      if (refused != null && System.nanoTime() - jetStreamRefusedAt < RETRY_REFUSED.toNanos()) {
        return notPermitted(refused, result);
      }
      long since = System.nanoTime();
      try {
        connection.jetStreamManagement().getAccountStatistics();
        jetStreamRefused.set(null);
        result = result.withDetail("jetstream", "reachable");
      } catch (Exception e) {
        String subject = JetStreamLag.refusedSince(connection, "API.INFO", since);
        if (subject != null && subject.endsWith("API.INFO")) {
          // Asked again only after a while: each refused call waits out the request timeout.
          jetStreamRefused.set(subject);
          jetStreamRefusedAt = System.nanoTime();
          return notPermitted(subject, result);
        }
        // While the cluster is missing a member, JetStream is electing new leaders: that passes
        // by itself, and restarting this process would not help.
        return new CheckResult(
            members < most ? HealthStatus.DEGRADED : HealthStatus.UNHEALTHY,
            "JetStream does not answer"
                + (members < most ? " while the cluster is missing a member" : "")
                + ": "
                + Redaction.describe(e),
            result.details());
      }
    }
    return result;
  }

  private static CheckResult notPermitted(String subject, CheckResult connected) {
    return new CheckResult(
        HealthStatus.DEGRADED,
        "not permitted: the account may not publish to "
            + subject
            + ", so JetStream cannot be checked; grant it, or build this check without"
            + " setJetStream(true)",
        connected.details());
  }

  /** How many servers the cluster advertises to clients (0 for a server on its own). */
  private int clusterMembers() {
    ServerInfo info = connection.getServerInfo();
    return info == null || info.getConnectURLs() == null ? 0 : info.getConnectURLs().size();
  }

  /** host:port of the server in use, or null. */
  private String server() {
    URI uri = NatsSender.hostAndPort(connection.getConnectedUrl());
    return uri == null ? null : uri.getHost() + ":" + uri.getPort();
  }

  /** Builds a {@link NatsHealthCheck}. Not thread-safe. */
  public static final class Builder {
    private final Connection connection;
    private String name = "nats";
    private Duration degradedAbove = Duration.ofMillis(100);
    private boolean jetStream;

    Builder(Connection connection) {
      this.connection = connection;
    }

    /**
     * The check's name. Default {@code nats}.
     *
     * @param name the check's name
     * @return this builder
     */
    public Builder setName(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * A round trip slower than this is DEGRADED. Default 100 ms.
     *
     * @param degradedAbove the round trip beyond which the check is DEGRADED
     * @return this builder
     */
    public Builder setDegradedAbove(Duration degradedAbove) {
      this.degradedAbove = Objects.requireNonNull(degradedAbove, "degradedAbove");
      return this;
    }

    /**
     * Also require the JetStream API to answer (when the agent uses JetStream).
     *
     * @param jetStream whether JetStream must answer too
     * @return this builder
     */
    public Builder setJetStream(boolean jetStream) {
      this.jetStream = jetStream;
      return this;
    }

    /**
     * Builds it.
     *
     * @return the check
     */
    public NatsHealthCheck build() {
      return new NatsHealthCheck(this);
    }
  }
}
