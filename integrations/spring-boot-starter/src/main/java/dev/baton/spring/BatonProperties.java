/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.spring;

import dev.baton.propagation.Baton;
import dev.baton.propagation.Continuation;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.HandlerCost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code baton.*} properties: the agent's identity and policies, heartbeats, and the health
 * indicators. Bound once at start-up; see the README's table for every key and default.
 */
@ConfigurationProperties("baton")
public class BatonProperties {

  private final Agent agent = new Agent();
  private int hopLimit = Baton.DEFAULT_HOP_LIMIT;
  private Map<String, Continuation> continuations = new LinkedHashMap<>();
  private final Baggage baggage = new Baggage();
  private List<String> housekeeping = new ArrayList<>();
  private boolean traceHousekeeping;
  private HandlerCost handlerCost = HandlerCost.ALLOCATIONS;
  private ConversationMode conversations = ConversationMode.OFF;
  private final Heartbeat heartbeat = new Heartbeat();
  private final Health health = new Health();
  private final Transport nats = new Transport();
  private final Transport kafka = new Transport();

  /** The agent's name and id. */
  public Agent getAgent() {
    return agent;
  }

  /**
   * {@code baton.conversations=off|mint|require}: whether a conversation id travels with the work
   * (see the README's Conversations).
   */
  public ConversationMode getConversations() {
    return conversations;
  }

  public void setConversations(ConversationMode conversations) {
    this.conversations = conversations;
  }

  /** {@code baton.hop-limit}: hand-offs per trace before a new linked trace. */
  public int getHopLimit() {
    return hopLimit;
  }

  public void setHopLimit(int hopLimit) {
    this.hopLimit = hopLimit;
  }

  /**
   * {@code baton.continuations.[pattern]=new-trace-with-link}: per destination pattern (NATS
   * wildcards, in the order written), how a receiver continues the sender's trace.
   */
  public Map<String, Continuation> getContinuations() {
    return continuations;
  }

  public void setContinuations(Map<String, Continuation> continuations) {
    this.continuations = continuations;
  }

  /** Which baggage leaves the process. */
  public Baggage getBaggage() {
    return baggage;
  }

  /** {@code baton.housekeeping}: destination patterns sent without context and spans. */
  public List<String> getHousekeeping() {
    return housekeeping;
  }

  public void setHousekeeping(List<String> housekeeping) {
    this.housekeeping = housekeeping;
  }

  /** {@code baton.trace-housekeeping}: trace heartbeats and other housekeeping too. */
  public boolean isTraceHousekeeping() {
    return traceHousekeeping;
  }

  public void setTraceHousekeeping(boolean traceHousekeeping) {
    this.traceHousekeeping = traceHousekeeping;
  }

  /**
   * {@code baton.handler-cost}: what to measure of each handler call ({@code none}, {@code
   * allocations}, {@code allocations-and-cpu}), on the process span and the agent's meters.
   */
  public HandlerCost getHandlerCost() {
    return handlerCost;
  }

  public void setHandlerCost(HandlerCost handlerCost) {
    this.handlerCost = handlerCost;
  }

  /** The agent's heartbeats. */
  public Heartbeat getHeartbeat() {
    return heartbeat;
  }

  /** The health indicators. */
  public Health getHealth() {
    return health;
  }

  /** {@code baton.nats.enabled}. */
  public Transport getNats() {
    return nats;
  }

  /** {@code baton.kafka.enabled}. */
  public Transport getKafka() {
    return kafka;
  }

  /** {@code baton.agent.*}. */
  public static class Agent {
    private @Nullable String name;
    private @Nullable String id;

    /** Default: {@code spring.application.name}, else {@code agent}. */
    public @Nullable String getName() {
      return name;
    }

    public void setName(@Nullable String name) {
      this.name = name;
    }

    /** Default: the name followed by a random UUID. */
    public @Nullable String getId() {
      return id;
    }

    public void setId(@Nullable String id) {
      this.id = id;
    }
  }

  /** {@code baton.baggage.*}. */
  public static class Baggage {
    private List<String> allowedKeys = new ArrayList<>();
    private @Nullable Integer maxBytes;
    private @Nullable Integer maxMembers;

    /** Keys that may leave the process; empty: every key (the W3C limits still apply). */
    public List<String> getAllowedKeys() {
      return allowedKeys;
    }

    public void setAllowedKeys(List<String> allowedKeys) {
      this.allowedKeys = allowedKeys;
    }

    public @Nullable Integer getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(@Nullable Integer maxBytes) {
      this.maxBytes = maxBytes;
    }

    public @Nullable Integer getMaxMembers() {
      return maxMembers;
    }

    public void setMaxMembers(@Nullable Integer maxMembers) {
      this.maxMembers = maxMembers;
    }
  }

  /** {@code baton.heartbeat.*}. */
  public static class Heartbeat {
    private boolean enabled = true;
    private Duration interval = Duration.ofSeconds(5);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }
  }

  /** {@code baton.health.*}. */
  public static class Health {
    private Duration timeout = Duration.ofSeconds(5);
    private boolean probes = true;

    /** How long one indicator may take before it answers DOWN. */
    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    /** Whether Baton's indicators join the {@code readiness} and {@code liveness} groups. */
    public boolean isProbes() {
      return probes;
    }

    public void setProbes(boolean probes) {
      this.probes = probes;
    }
  }

  /** {@code baton.nats.*}, {@code baton.kafka.*}. */
  public static class Transport {
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
