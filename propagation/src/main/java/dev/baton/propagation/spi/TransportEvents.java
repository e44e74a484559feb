/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.internal.Listeners;
import dev.baton.propagation.internal.WarnOnce;
import dev.baton.propagation.spi.probe.DeniedCalls;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * What a transport tells the agent's listeners (metrics, health, cost accounting) off the message
 * path: connection events, backlog, queue depth, subscription and permission changes, and failures
 * inside its own instrumentation. From {@link MessagingEngine#events()}. Never throws: a failing
 * listener is counted as a telemetry failure. Thread-safe.
 */
public final class TransportEvents {

  private static final WarnOnce WARN = new WarnOnce(LoggerFactory.getLogger(MessagingEngine.class));

  private final String system;
  private final String agentName;
  private final Listeners listeners;
  private final String[] rejectKeys;

  TransportEvents(String system, String agentName, Listeners listeners) {
    this.system = system;
    this.agentName = agentName;
    this.listeners = listeners;
    RejectionReason[] reasons = RejectionReason.values();
    this.rejectKeys = new String[reasons.length * 2];
    for (RejectionReason reason : reasons) {
      rejectKeys[reason.ordinal() * 2] = "rejected:" + system + ":" + reason + ":out";
      rejectKeys[reason.ordinal() * 2 + 1] = "rejected:" + system + ":" + reason + ":in";
    }
  }

  /** {@return the messaging system ({@code messaging.system}) these events are about} */
  public String system() {
    return system;
  }

  /** The agent's listeners, for what reports to them later (a conversation declared done). */
  Listeners listeners() {
    return listeners;
  }

  /**
   * Tells the listeners about a connection event; {@code detail} must already be redacted.
   *
   * @param state the event
   * @param detail what happened, redacted
   */
  public void connectionEvent(TransportListener.ConnectionEvent state, String detail) {
    TransportListener.ConnectionChange event =
        new TransportListener.ConnectionChange(system, state, detail);
    listeners.emit(l -> l.onConnection(event));
  }

  /**
   * Tells the listeners how far a consumer is behind on the broker ({@link Double#NaN} for
   * unknown). Called by a transport's probe, off the message path.
   *
   * @param destination the subject, stream filter or topic
   * @param group the consumer group
   * @param partition the Kafka partition, or empty
   * @param lagMessages messages not yet acknowledged or committed
   * @param ackPending JetStream: delivered but not yet acknowledged; NaN where it does not apply
   * @param lagSeconds the age of the oldest such message
   */
  public void backlog(
      String destination,
      String group,
      String partition,
      double lagMessages,
      double ackPending,
      double lagSeconds) {
    TransportListener.Backlog event =
        new TransportListener.Backlog(
            system, destination, group, partition, lagMessages, ackPending, lagSeconds);
    listeners.emit(l -> l.onBacklog(event));
  }

  /**
   * Tells the listeners what a subscription holds in this process but has not handled.
   *
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param messages messages held in the client
   * @param bytes their size
   */
  public void queueDepth(String destination, String group, long messages, long bytes) {
    TransportListener.QueueDepth event =
        new TransportListener.QueueDepth(system, destination, group, messages, bytes);
    listeners.emit(l -> l.onQueueDepth(event));
  }

  /**
   * Tells the listeners a subscription started, stopped or failed.
   *
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param state what happened
   */
  public void subscriptionChange(
      String destination, String group, TransportListener.SubscriptionState state) {
    TransportListener.SubscriptionChange event =
        new TransportListener.SubscriptionChange(system, destination, group, state);
    listeners.emit(l -> l.onSubscription(event));
  }

  /**
   * Tells the listeners a call Baton makes for {@code feature} was refused ({@code denied}) or goes
   * through again; {@code detail} must already be redacted. See {@link DeniedCalls}.
   *
   * @param feature what the call serves
   * @param target what it was about (never a credential)
   * @param denied true when refused, false when it goes through again
   * @param detail the broker's words, redacted
   */
  public void permission(String feature, String target, boolean denied, String detail) {
    TransportListener.PermissionChange event =
        new TransportListener.PermissionChange(system, feature, target, denied, detail);
    listeners.emit(l -> l.onPermission(event));
  }

  /**
   * Counts and reports a failure inside a transport's instrumentation.
   *
   * @param operation what failed, a short fixed name
   * @param error the failure
   */
  public void telemetryFailure(String operation, Throwable error) {
    listeners.telemetryFailure(system, operation, error);
  }

  /** Whether anyone listens: the message path builds no event otherwise. */
  boolean listening() {
    return !listeners.isEmpty();
  }

  /** A send ended. */
  void sent(String destination, int payloadBytes, long nanos, @Nullable String errorType) {
    if (!listeners.isEmpty()) {
      listeners.sent(
          new TransportListener.Sent(
              system, agentName, destination, payloadBytes, nanos, errorType));
    }
  }

  void received(TransportListener.Received event) {
    listeners.received(event);
  }

  void processed(TransportListener.Processed event) {
    listeners.processed(event);
  }

  /** Context left off a message sent to, or rejected on one from, {@code destination}. */
  void reject(String destination, RejectionReason reason, boolean inbound) {
    WARN.log(
        rejectKeys[reason.ordinal() * 2 + (inbound ? 1 : 0)],
        "Baton {} {} context on a message {} '{}': {}",
        system,
        inbound ? "rejected" : "left off",
        inbound ? "from" : "to",
        destination,
        reason);
    if (!listeners.isEmpty()) {
      TransportListener.RejectedContext event =
          new TransportListener.RejectedContext(system, destination, reason, inbound);
      listeners.emit(l -> l.onRejectedContext(event));
    }
  }
}
