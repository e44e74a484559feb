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

  /** {@return the agent's name and id} */
  public Agent getAgent() {
    return agent;
  }

  /**
   * {@code baton.conversations=off|mint|require}: whether a conversation id travels with the work
   * (see the README's Conversations).
   *
   * @return the conversation mode
   */
  public ConversationMode getConversations() {
    return conversations;
  }

  /**
   * Sets {@code baton.conversations}.
   *
   * @param conversations the conversation mode
   */
  public void setConversations(ConversationMode conversations) {
    this.conversations = conversations;
  }

  /**
   * {@code baton.hop-limit}: hand-offs per trace before a new linked trace.
   *
   * @return the most hand-offs in one trace
   */
  public int getHopLimit() {
    return hopLimit;
  }

  /**
   * Sets {@code baton.hop-limit}.
   *
   * @param hopLimit the most hand-offs in one trace, at least 1
   */
  public void setHopLimit(int hopLimit) {
    this.hopLimit = hopLimit;
  }

  /**
   * {@code baton.continuations.[pattern]=new-trace-with-link}: per destination pattern (NATS
   * wildcards, in the order written), how a receiver continues the sender's trace.
   *
   * @return the continuation per destination pattern, in the order written
   */
  public Map<String, Continuation> getContinuations() {
    return continuations;
  }

  /**
   * Sets {@code baton.continuations.*}.
   *
   * @param continuations the continuation per destination pattern
   */
  public void setContinuations(Map<String, Continuation> continuations) {
    this.continuations = continuations;
  }

  /** {@return which baggage leaves the process} */
  public Baggage getBaggage() {
    return baggage;
  }

  /**
   * {@code baton.housekeeping}: destination patterns sent without context and spans.
   *
   * @return the housekeeping destination patterns
   */
  public List<String> getHousekeeping() {
    return housekeeping;
  }

  /**
   * Sets {@code baton.housekeeping}.
   *
   * @param housekeeping destination patterns (NATS wildcards)
   */
  public void setHousekeeping(List<String> housekeeping) {
    this.housekeeping = housekeeping;
  }

  /**
   * {@code baton.trace-housekeeping}: trace heartbeats and other housekeeping too.
   *
   * @return whether housekeeping is traced
   */
  public boolean isTraceHousekeeping() {
    return traceHousekeeping;
  }

  /**
   * Sets {@code baton.trace-housekeeping}.
   *
   * @param traceHousekeeping whether housekeeping is traced
   */
  public void setTraceHousekeeping(boolean traceHousekeeping) {
    this.traceHousekeeping = traceHousekeeping;
  }

  /**
   * {@code baton.handler-cost}: what to measure of each handler call ({@code none}, {@code
   * allocations}, {@code allocations-and-cpu}), on the process span and the agent's meters.
   *
   * @return what is measured of each handler call
   */
  public HandlerCost getHandlerCost() {
    return handlerCost;
  }

  /**
   * Sets {@code baton.handler-cost}.
   *
   * @param handlerCost what to measure of each handler call
   */
  public void setHandlerCost(HandlerCost handlerCost) {
    this.handlerCost = handlerCost;
  }

  /** {@return the agent's heartbeats} */
  public Heartbeat getHeartbeat() {
    return heartbeat;
  }

  /** {@return the health indicators} */
  public Health getHealth() {
    return health;
  }

  /**
   * {@code baton.nats.enabled}.
   *
   * @return the NATS transport's settings
   */
  public Transport getNats() {
    return nats;
  }

  /**
   * {@code baton.kafka.enabled}.
   *
   * @return the Kafka transport's settings
   */
  public Transport getKafka() {
    return kafka;
  }

  /** {@code baton.agent.*}. */
  public static class Agent {
    private @Nullable String name;
    private @Nullable String id;

    /**
     * Default: {@code spring.application.name}, else {@code agent}.
     *
     * @return the agent's name, or {@code null} for the default
     */
    public @Nullable String getName() {
      return name;
    }

    /**
     * Sets {@code baton.agent.name}.
     *
     * @param name the agent's name, or {@code null} for the default
     */
    public void setName(@Nullable String name) {
      this.name = name;
    }

    /**
     * Default: the name followed by a random UUID.
     *
     * @return the agent's id, or {@code null} for the default
     */
    public @Nullable String getId() {
      return id;
    }

    /**
     * Sets {@code baton.agent.id}.
     *
     * @param id the agent's id, or {@code null} for the default
     */
    public void setId(@Nullable String id) {
      this.id = id;
    }
  }

  /** {@code baton.baggage.*}. */
  public static class Baggage {
    private List<String> allowedKeys = new ArrayList<>();
    private @Nullable Integer maxBytes;
    private @Nullable Integer maxMembers;

    /** {@return keys that may leave the process; empty: every key (the W3C limits still apply)} */
    public List<String> getAllowedKeys() {
      return allowedKeys;
    }

    /**
     * Sets {@code baton.baggage.allowed-keys}.
     *
     * @param allowedKeys the keys that may leave; empty for every key
     */
    public void setAllowedKeys(List<String> allowedKeys) {
      this.allowedKeys = allowedKeys;
    }

    /**
     * {@code baton.baggage.max-bytes}: the {@code baggage} header's byte budget; {@code null}:
     * Baton's default.
     *
     * @return the byte budget, or {@code null}
     */
    public @Nullable Integer getMaxBytes() {
      return maxBytes;
    }

    /**
     * Sets {@code baton.baggage.max-bytes}.
     *
     * @param maxBytes the byte budget, 1 to 8192, or {@code null} for the default
     */
    public void setMaxBytes(@Nullable Integer maxBytes) {
      this.maxBytes = maxBytes;
    }

    /**
     * {@code baton.baggage.max-members}: the most baggage members per message; {@code null}:
     * Baton's default.
     *
     * @return the most members, or {@code null}
     */
    public @Nullable Integer getMaxMembers() {
      return maxMembers;
    }

    /**
     * Sets {@code baton.baggage.max-members}.
     *
     * @param maxMembers the most members, 1 to 64, or {@code null} for the default
     */
    public void setMaxMembers(@Nullable Integer maxMembers) {
      this.maxMembers = maxMembers;
    }
  }

  /** {@code baton.heartbeat.*}. */
  public static class Heartbeat {
    private boolean enabled = true;
    private Duration interval = Duration.ofSeconds(5);

    /**
     * {@code baton.heartbeat.enabled}: whether the agent sends heartbeats and listens to every
     * agent's (default true).
     *
     * @return whether heartbeats are on
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets {@code baton.heartbeat.enabled}.
     *
     * @param enabled whether heartbeats are on
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * {@code baton.heartbeat.interval}: the time between two heartbeats (default 5 s).
     *
     * @return the interval
     */
    public Duration getInterval() {
      return interval;
    }

    /**
     * Sets {@code baton.heartbeat.interval}.
     *
     * @param interval the time between two heartbeats
     */
    public void setInterval(Duration interval) {
      this.interval = interval;
    }
  }

  /** {@code baton.health.*}. */
  public static class Health {
    private Duration timeout = Duration.ofSeconds(5);
    private boolean probes = true;

    /** {@return how long one indicator may take before it answers DOWN} */
    public Duration getTimeout() {
      return timeout;
    }

    /**
     * Sets {@code baton.health.timeout}.
     *
     * @param timeout the longest one indicator may take
     */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    /**
     * {@return whether Baton's indicators join the {@code readiness} and {@code liveness} groups}
     */
    public boolean isProbes() {
      return probes;
    }

    /**
     * Sets {@code baton.health.probes}.
     *
     * @param probes whether the indicators join the probe groups
     */
    public void setProbes(boolean probes) {
      this.probes = probes;
    }
  }

  /** {@code baton.nats.*}, {@code baton.kafka.*}. */
  public static class Transport {
    private boolean enabled = true;

    /**
     * Whether Baton instruments this transport when its client is on the class path (default true).
     *
     * @return whether the transport is on
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether Baton instruments this transport.
     *
     * @param enabled whether the transport is on
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
