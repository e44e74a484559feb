/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.health.AgentState;
import dev.baton.health.HeartbeatPublisher;
import dev.baton.health.Heartbeats;
import dev.baton.propagation.Baton;
import dev.baton.propagation.ConversationBudget;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.HandlerCost;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Subscription;
import dev.baton.transport.Transport;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every demo agent shares: its identity and Baton, its transport, a simulated LLM, injected
 * failures, heartbeats. The subclasses use only the public transport API.
 */
abstract class Agent implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** How long a hand-off waits for the broker's acknowledgement before the handler fails. */
  static final Duration HAND_OFF_TIMEOUT = Duration.ofSeconds(30);

  /** How often each agent beats; a swarm process listens one interval for another's agents. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(2);

  final String role;
  final String agentId;
  final Transport bus;
  final Llm llm;
  final Logger log;
  private final double failureRate;
  private final HeartbeatPublisher heartbeat;
  private final List<Subscription> subscriptions = new ArrayList<>();

  /** A transient failure injected by {@code --failure-rate}. */
  static final class InjectedFailure extends RuntimeException {
    InjectedFailure(String message) {
      super(message);
    }
  }

  Agent(String role, Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
    this.role = role;
    this.agentId = parts.config().agentId(role);
    Baton.Builder builder =
        Baton.builder(otel)
            .setAgentName(role)
            .setAgentId(agentId)
            .addListener(parts.metrics())
            .addListener(parts.costs())
            .addListener(parts.conversations())
            .addListener(parts.graph())
            // The summary's per-agent CPU: a few µs per message, nothing against an LLM call.
            .setHandlerCost(HandlerCost.ALLOCATIONS_AND_CPU)
            // Each task is a conversation: its id, hops, agents, tokens and cost travel with it,
            // and two agents bouncing its work (--loop) are stopped at the third round.
            .setConversations(ConversationMode.MINT)
            .addLoopBreak("agents.>");
    ConversationBudget budget = parts.config().conversationBudget();
    if (role.equals(Roles.COORDINATOR) && !budget.isUnlimited()) {
      // --budget: every task taken on the submit topic gets it, and it travels with the work.
      builder.addBudget(Roles.SUBMIT, budget);
    }
    if (parts.reconnects().claim()) {
      builder.addListener(parts.reconnects()); // one agent's transport counts for the process
    }
    Baton baton = builder.build();
    this.bus = backplane.transport(baton);
    double slowdown = role.equals(parts.config().slowAgent()) ? 10 : 1;
    this.llm =
        new Llm(otel.getTracer("dev.baton.demo"), role, "gpt-sim-" + role, slowdown, parts.costs());
    this.failureRate = parts.config().failureRate();
    this.log = LoggerFactory.getLogger("agent." + role);
    long starts = parts.store() == null ? 1 : parts.store().recordStart(agentId);
    this.heartbeat = Heartbeats.publish(bus, HEARTBEAT_INTERVAL, starts);
  }

  /** Subscribes and remembers the subscription for readiness and close. */
  final Subscription track(Subscription subscription) {
    subscriptions.add(subscription);
    return subscription;
  }

  /**
   * A handler that logs with the trace in the MDC and keeps the agent's lifecycle state: processing
   * while it runs, then idle, or error when it threw; a handler that said it now waits (on the
   * other half of a fan-in, say) stays waiting.
   */
  final MessageHandler traced(MessageHandler handler) {
    return message -> {
      heartbeat.setState(AgentState.PROCESSING);
      boolean failed = true;
      try (Mdc ignored = Mdc.fromCurrentSpan()) {
        handler.handle(message);
        failed = false;
      } finally {
        if (failed) {
          heartbeat.setState(AgentState.ERROR);
        } else if (heartbeat.state() == AgentState.PROCESSING) {
          heartbeat.setState(AgentState.IDLE);
        }
      }
    };
  }

  /** Sets the agent's lifecycle state (waiting on a reply, say); see {@link AgentState}. */
  final void state(AgentState state) {
    heartbeat.setState(state);
  }

  /** The agent took its subscriptions: from starting to idle. */
  final void ready() {
    heartbeat.setState(AgentState.IDLE);
  }

  /** Fails with the configured probability: the broker's durable path redelivers. */
  final void maybeFail(String step) {
    if (failureRate > 0 && ThreadLocalRandom.current().nextDouble() < failureRate) {
      throw new InjectedFailure(role + " failed at " + step + " (injected)");
    }
  }

  /**
   * Hands work on over the durable path and waits for the broker's acknowledgement, so a handler
   * that could not hand its work on fails and the broker redelivers what it was handling. The
   * message id is the destination, the task and {@code part} (where one task sends several), so a
   * retried hand-off is a duplicate: JetStream drops it, and on Kafka the receivers ignore it. The
   * task id is the Kafka record key: a task's messages to one destination share a partition.
   */
  final void handOff(String destination, String taskId, String part, byte[] payload)
      throws Exception {
    bus.durablePublisher()
        .publish(handOffMessage(destination, taskId, part, payload))
        .get(HAND_OFF_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The message {@link #handOff} sends. */
  static OutboundMessage handOffMessage(
      String destination, String taskId, String part, byte[] payload) {
    String id = destination + ":" + taskId + (part.isEmpty() ? "" : ":" + part);
    return OutboundMessage.of(destination, payload).withId(id).withKey(taskId);
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Waits until every subscription receives what is published from now on. */
  final boolean awaitReady(Duration timeout) throws InterruptedException {
    for (Subscription subscription : subscriptions) {
      if (!subscription.awaitReady(timeout)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    heartbeat.close();
    bus.close();
  }
}
