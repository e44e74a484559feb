/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The observer SPI: metrics, health and anything else that wants to hear what a transport does.
 *
 * <p>Every method has an empty default, so an observer implements only what it needs. Methods are
 * called on the thread doing the work (the publishing thread, the delivery thread, the broker
 * client's event thread or a backlog probe's scheduler), so they must be quick, thread-safe and
 * must not block. An exception thrown by a listener is caught by Baton, counted as a telemetry
 * failure and never reaches agent code.
 */
public interface TransportListener {

  /**
   * A message was sent (the broker acknowledged it, or it was handed to a client without acks).
   *
   * @param event what was sent
   */
  default void onSent(Sent event) {}

  /**
   * A message arrived and is about to be handled.
   *
   * @param event what arrived
   */
  default void onReceived(Received event) {}

  /**
   * A handler finished with a message.
   *
   * @param event how the handling went
   */
  default void onProcessed(Processed event) {}

  /**
   * A probe measured how far a consumer is behind on the broker.
   *
   * @param event the measurement
   */
  default void onBacklog(Backlog event) {}

  /**
   * A probe measured what a subscription holds in this process but has not handled yet.
   *
   * @param event the measurement
   */
  default void onQueueDepth(QueueDepth event) {}

  /**
   * The broker connection changed state or reported a problem.
   *
   * @param event the change
   */
  default void onConnection(ConnectionChange event) {}

  /**
   * A subscription started, stopped, or was stopped by a failure.
   *
   * @param event the change
   */
  default void onSubscription(SubscriptionChange event) {}

  /**
   * Part of a message's propagated context was rejected (see {@link RejectionReason}).
   *
   * @param event what was rejected, and why
   */
  default void onRejectedContext(RejectedContext event) {}

  /**
   * Baton's own instrumentation failed; the message went on without it.
   *
   * @param event where the instrumentation failed
   */
  default void onTelemetryFailure(TelemetryFailure event) {}

  /**
   * The broker refused a call Baton makes for one of its own features (a backlog probe, a check)
   * for want of a permission, or, after a refusal, lets it through again. Messaging goes on either
   * way; only that feature waits.
   *
   * @param event the refusal or its end
   */
  default void onPermission(PermissionChange event) {}

  /**
   * An agent declared a conversation done ({@code Conversation.done()}): its totals, for
   * distributions per conversation. Never carries the conversation's id (no label per
   * conversation).
   *
   * @param event the conversation's totals
   */
  default void onConversationDone(ConversationDone event) {}

  /**
   * Baton refused a message by the agent's conversation policy (no conversation id where one is
   * required, over the conversation's budget): the handler did not run. Heard before the {@code
   * processed} event with {@link Outcome#REFUSED}.
   *
   * @param event what was refused, and why
   */
  default void onRefused(Refused event) {}

  /**
   * The hop that closes a repeating cycle of agents in one conversation (A, B, A, B, A, B): what
   * the cycle is and whether the agent's policy stopped the message.
   *
   * @param event the cycle, and whether it was stopped
   */
  default void onLoop(Loop event) {}

  /** {@return a listener that ignores everything} */
  static TransportListener noop() {
    return NoopListener.INSTANCE;
  }

  /**
   * A repeating cycle of agents, seen at the hop that closes it.
   *
   * @param system the messaging system
   * @param agent the agent whose receive closed the cycle
   * @param destination the subject or topic (its template for a temporary one)
   * @param cycle the cycle's agents, {@code >}-separated, starting with the smallest name (an agent
   *     known only by its trail tag shows as {@code #<4 hex>})
   * @param stopped whether the message was refused (reason {@code loop})
   * @param conversationId the conversation that loops (for a log line or to act on it: never a
   *     metric label)
   */
  record Loop(
      String system,
      String agent,
      String destination,
      String cycle,
      boolean stopped,
      String conversationId) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param agent the agent whose receive closed the cycle
     * @param destination the subject or topic (its template for a temporary one)
     * @param cycle the cycle's agents, {@code >}-separated, starting with the smallest name (an
     *     agent known only by its trail tag shows as {@code #<4 hex>})
     * @param stopped whether the message was refused (reason {@code loop})
     * @param conversationId the conversation that loops (for a log line or to act on it: never a
     *     metric label)
     */
    public Loop {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(cycle, "cycle");
      Objects.requireNonNull(conversationId, "conversationId");
    }
  }

  /**
   * A message refused by the agent's conversation policy.
   *
   * @param system the messaging system
   * @param agent the receiving agent's name
   * @param destination the subject or topic (its template for a temporary one)
   * @param reason why: {@code conversation_required}, {@code budget_tokens}, {@code budget_cost},
   *     {@code budget_hops}, {@code budget_time}, {@code loop}
   * @param conversationId the refused message's conversation, or {@code null} when it had none
   *     ({@code conversation_required}); for a log line or to act on it, never a metric label
   * @param senderAgent the sending agent's name, or {@code null} when the sender is not a Baton
   *     agent (for the agent graph's hand-off)
   */
  record Refused(
      String system,
      String agent,
      String destination,
      String reason,
      @Nullable String conversationId,
      @Nullable String senderAgent) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param agent the receiving agent's name
     * @param destination the subject or topic (its template for a temporary one)
     * @param reason why: {@code conversation_required}, {@code budget_tokens}, {@code budget_cost},
     *     {@code budget_hops}, {@code budget_time}, {@code loop}
     * @param conversationId the refused message's conversation, or {@code null} when it had none
     *     ({@code conversation_required}); for a log line or to act on it, never a metric label
     * @param senderAgent the sending agent's name, or {@code null} when the sender is not a Baton
     *     agent (for the agent graph's hand-off)
     */
    public Refused {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A conversation's totals when an agent declared it done.
   *
   * @param agent the agent that declared it done
   * @param hops hand-offs the conversation made
   * @param agents distinct agents it passed through
   * @param inputTokens input tokens spent
   * @param outputTokens output tokens spent
   * @param cost its cost, in the unit the swarm uses
   * @param handlerNanos time handlers spent on it
   * @param durationNanos wall time from its start to done
   */
  record ConversationDone(
      String agent,
      long hops,
      long agents,
      long inputTokens,
      long outputTokens,
      double cost,
      long handlerNanos,
      long durationNanos) {
    /**
     * Checks the arguments.
     *
     * @param agent the agent that declared it done
     * @param hops hand-offs the conversation made
     * @param agents distinct agents it passed through
     * @param inputTokens input tokens spent
     * @param outputTokens output tokens spent
     * @param cost its cost, in the unit the swarm uses
     * @param handlerNanos time handlers spent on it
     * @param durationNanos wall time from its start to done
     */
    public ConversationDone {
      Objects.requireNonNull(agent, "agent");
    }
  }

  /**
   * A message was sent.
   *
   * @param system the messaging system ({@code nats}, {@code kafka})
   * @param agent the sending agent's name
   * @param destination the subject or topic; for high-cardinality destinations such as reply
   *     inboxes, their low-cardinality template
   * @param payloadBytes the payload size
   * @param durationNanos from the send call to the broker's acknowledgement (or hand-off)
   * @param errorType the error's type when the send failed, {@code null} on success
   */
  record Sent(
      String system,
      String agent,
      String destination,
      int payloadBytes,
      long durationNanos,
      @Nullable String errorType) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system ({@code nats}, {@code kafka})
     * @param agent the sending agent's name
     * @param destination the subject or topic; for high-cardinality destinations such as reply
     *     inboxes, their low-cardinality template
     * @param payloadBytes the payload size
     * @param durationNanos from the send call to the broker's acknowledgement (or hand-off)
     * @param errorType the error's type when the send failed, {@code null} on success
     */
    public Sent {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(destination, "destination");
    }
  }

  /**
   * A message arrived.
   *
   * @param system the messaging system
   * @param agent the receiving agent's name
   * @param destination the subject or topic (or its template, as for {@link Sent})
   * @param group the queue or consumer group, empty for none
   * @param senderAgent the sending agent's name, or {@code null} when the sender is not a Baton
   *     agent
   * @param payloadBytes the payload size
   * @param deliveryLatencyNanos from the sender's sent-at stamp to now (never negative), or -1 when
   *     the message carried no valid stamp
   * @param deliveryCount 1 on the first delivery, more on a redelivery
   */
  record Received(
      String system,
      String agent,
      String destination,
      String group,
      @Nullable String senderAgent,
      int payloadBytes,
      long deliveryLatencyNanos,
      int deliveryCount) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param agent the receiving agent's name
     * @param destination the subject or topic (or its template, as for {@link Sent})
     * @param group the queue or consumer group, empty for none
     * @param senderAgent the sending agent's name, or {@code null} when the sender is not a Baton
     *     agent
     * @param payloadBytes the payload size
     * @param deliveryLatencyNanos from the sender's sent-at stamp to now (never negative), or -1
     *     when the message carried no valid stamp
     * @param deliveryCount 1 on the first delivery, more on a redelivery
     */
    public Received {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
    }
  }

  /**
   * A handler finished.
   *
   * @param system the messaging system
   * @param agent the handling agent's name
   * @param destination the subject or topic (or its template)
   * @param group the queue or consumer group, empty for none
   * @param outcome acknowledged, negatively acknowledged, or given up on
   * @param durationNanos how long the handler (and the acknowledgement) took
   * @param errorType the exception's class name when the handler threw, else {@code null}
   * @param cpuNanos the CPU time the handler's thread spent in the handler call, or -1 where the
   *     JVM does not measure it (or Baton was told not to)
   * @param allocatedBytes the bytes the handler's thread allocated in the handler call, or -1 where
   *     the JVM does not measure it (or Baton was told not to)
   * @param kept why the hop was recorded although its trace was not sampled ({@code failure},
   *     {@code slow}), or {@code null} when it was not kept
   */
  record Processed(
      String system,
      String agent,
      String destination,
      String group,
      Outcome outcome,
      long durationNanos,
      @Nullable String errorType,
      long cpuNanos,
      long allocatedBytes,
      @Nullable String kept) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param agent the handling agent's name
     * @param destination the subject or topic (or its template)
     * @param group the queue or consumer group, empty for none
     * @param outcome acknowledged, negatively acknowledged, or given up on
     * @param durationNanos how long the handler (and the acknowledgement) took
     * @param errorType the exception's class name when the handler threw, else {@code null}
     * @param cpuNanos the CPU time the handler's thread spent in the handler call, or -1 where the
     *     JVM does not measure it (or Baton was told not to)
     * @param allocatedBytes the bytes the handler's thread allocated in the handler call, or -1
     *     where the JVM does not measure it (or Baton was told not to)
     * @param kept why the hop was recorded although its trace was not sampled ({@code failure},
     *     {@code slow}), or {@code null} when it was not kept
     */
    public Processed {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(outcome, "outcome");
    }

    /**
     * A handler finished; its CPU time and allocations not measured (-1).
     *
     * @param system the messaging system
     * @param agent the handling agent's name
     * @param destination the subject or topic (or its template)
     * @param group the queue or consumer group, empty for none
     * @param outcome acknowledged, negatively acknowledged, or given up on
     * @param durationNanos how long the handler (and the acknowledgement) took
     * @param errorType the exception's class name when the handler threw, else {@code null}
     */
    public Processed(
        String system,
        String agent,
        String destination,
        String group,
        Outcome outcome,
        long durationNanos,
        @Nullable String errorType) {
      this(system, agent, destination, group, outcome, durationNanos, errorType, -1, -1, null);
    }

    /**
     * A handler finished; its hop was not kept apart from sampling.
     *
     * @param system the messaging system
     * @param agent the handling agent's name
     * @param destination the subject or topic (or its template)
     * @param group the queue or consumer group, empty for none
     * @param outcome acknowledged, negatively acknowledged, or given up on
     * @param durationNanos how long the handler (and the acknowledgement) took
     * @param errorType the exception's class name when the handler threw, else {@code null}
     * @param cpuNanos the CPU time the handler's thread spent in the handler call, or -1 where the
     *     JVM does not measure it (or Baton was told not to)
     * @param allocatedBytes the bytes the handler's thread allocated in the handler call, or -1
     *     where the JVM does not measure it (or Baton was told not to)
     */
    public Processed(
        String system,
        String agent,
        String destination,
        String group,
        Outcome outcome,
        long durationNanos,
        @Nullable String errorType,
        long cpuNanos,
        long allocatedBytes) {
      this(
          system,
          agent,
          destination,
          group,
          outcome,
          durationNanos,
          errorType,
          cpuNanos,
          allocatedBytes,
          null);
    }
  }

  /**
   * How far a consumer is behind on the broker. Unknown values are {@link Double#NaN}, never a
   * made-up 0.
   *
   * @param system the messaging system
   * @param destination the subject, stream filter or topic
   * @param group the consumer group (durable consumer, Kafka group), empty for none
   * @param partition the Kafka partition, or empty when the value covers the whole destination
   * @param lagMessages messages the group has not yet acknowledged or committed (Kafka: log-end
   *     offset minus committed offset; JetStream: pending plus ack-pending); 0 when caught up
   * @param ackPending JetStream: delivered but not yet acknowledged; NaN where it does not apply
   * @param lagSeconds the age of the oldest message the group has not yet acknowledged or
   *     committed; 0 when caught up
   * @param position where the group stands (Kafka: the committed offset; JetStream: the ack floor's
   *     stream sequence), NaN when not reported; a position that moved on between two readings is
   *     progress, as a processed message is
   */
  record Backlog(
      String system,
      String destination,
      String group,
      String partition,
      double lagMessages,
      double ackPending,
      double lagSeconds,
      double position) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param destination the subject, stream filter or topic
     * @param group the consumer group, empty for none
     * @param partition the Kafka partition, or empty
     * @param lagMessages messages the group has not yet acknowledged or committed
     * @param ackPending JetStream: delivered but not yet acknowledged; NaN where it does not apply
     * @param lagSeconds the age of the oldest message the group has not yet acknowledged or
     *     committed
     * @param position where the group stands, NaN when not reported
     */
    public Backlog {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(partition, "partition");
    }

    /**
     * A reading without the group's position (NaN).
     *
     * @param system the messaging system
     * @param destination the subject, stream filter or topic
     * @param group the consumer group (durable consumer, Kafka group), empty for none
     * @param partition the Kafka partition, or empty when the value covers the whole destination
     * @param lagMessages messages the group has not yet acknowledged or committed (Kafka: log-end
     *     offset minus committed offset; JetStream: pending plus ack-pending); 0 when caught up
     * @param ackPending JetStream: delivered but not yet acknowledged; NaN where it does not apply
     * @param lagSeconds the age of the oldest message the group has not yet acknowledged or
     *     committed; 0 when caught up
     */
    public Backlog(
        String system,
        String destination,
        String group,
        String partition,
        double lagMessages,
        double ackPending,
        double lagSeconds) {
      this(system, destination, group, partition, lagMessages, ackPending, lagSeconds, Double.NaN);
    }
  }

  /**
   * What a subscription holds in this process but has not handled yet.
   *
   * @param system the messaging system
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param messages messages buffered in the client (NATS: the dispatcher's pending; Kafka: fetched
   *     but not yet handled)
   * @param bytes their size as the client counts it (NATS: whole messages with headers; Kafka:
   *     payloads)
   */
  record QueueDepth(String system, String destination, String group, long messages, long bytes) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param destination the subject or topic
     * @param group the queue or consumer group, empty for none
     * @param messages messages buffered in the client (NATS: the dispatcher's pending; Kafka:
     *     fetched but not yet handled)
     * @param bytes their size as the client counts it (NATS: whole messages with headers; Kafka:
     *     payloads)
     */
    public QueueDepth {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
    }
  }

  /** The life of a subscription. */
  enum SubscriptionState {
    /** It is receiving. */
    STARTED,
    /** It was closed. */
    STOPPED,
    /** Its failure policy stopped it; messages wait for the group's next consumer. */
    FAILED
  }

  /**
   * A subscription changed state.
   *
   * @param system the messaging system
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param state what happened
   */
  record SubscriptionChange(
      String system, String destination, String group, SubscriptionState state) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param destination the subject or topic
     * @param group the queue or consumer group, empty for none
     * @param state what happened
     */
    public SubscriptionChange {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * What happened on a broker connection: the connection's state changing (connected, disconnected,
   * reconnected, closed) or an event on it (a slow consumer, an error).
   */
  enum ConnectionEvent {
    /** Connected for the first time. */
    CONNECTED,
    /** Lost the connection; the client may be reconnecting. */
    DISCONNECTED,
    /** Connected again after a loss. */
    RECONNECTED,
    /** Closed for good. */
    CLOSED,
    /** The client dropped or is about to drop messages because a consumer is too slow. */
    SLOW_CONSUMER,
    /**
     * The client stopped reading from a connection it still called connected (a message it could
     * not parse wedges jnats' reader, with no callback); Baton forced a reconnect.
     */
    STALLED,
    /** The client or the broker reported an error. */
    ERROR
  }

  /**
   * A permission Baton's own call needs was refused, or is granted again.
   *
   * @param system the messaging system
   * @param feature what the call serves, a short fixed name: {@code backlog} (lag in messages),
   *     {@code backlog.age} (lag in seconds), {@code health.jetstream}, {@code reply.topic}
   * @param target what it was about, e.g. a stream and consumer or a topic (never a credential)
   * @param denied true when refused, false when the call goes through again
   * @param detail the broker's words, redacted, e.g. the subject or ACL operation refused
   */
  record PermissionChange(
      String system, String feature, String target, boolean denied, String detail) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param feature what the call serves, a short fixed name: {@code backlog} (lag in messages),
     *     {@code backlog.age} (lag in seconds), {@code health.jetstream}, {@code reply.topic}
     * @param target what it was about, e.g. a stream and consumer or a topic (never a credential)
     * @param denied true when refused, false when the call goes through again
     * @param detail the broker's words, redacted, e.g. the subject or ACL operation refused
     */
    public PermissionChange {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(feature, "feature");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * A connection event.
   *
   * @param system the messaging system
   * @param event what happened
   * @param detail a short description with credentials redacted (never a payload)
   */
  record ConnectionChange(String system, ConnectionEvent event, String detail) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param event what happened
     * @param detail a short description with credentials redacted (never a payload)
     */
    public ConnectionChange {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * Rejected context.
   *
   * @param system the messaging system
   * @param destination the subject or topic
   * @param reason what was wrong (never the offending value: it may carry user data)
   * @param inbound {@code true} when it arrived on a message, {@code false} when it was left off an
   *     outgoing one
   */
  record RejectedContext(
      String system, String destination, RejectionReason reason, boolean inbound) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param destination the subject or topic
     * @param reason what was wrong (never the offending value: it may carry user data)
     * @param inbound {@code true} when it arrived on a message, {@code false} when it was left off
     *     an outgoing one
     */
    public RejectedContext {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Baton's instrumentation failed.
   *
   * @param system the messaging system
   * @param operation what Baton was doing ({@code inject}, {@code extract}, {@code span}, {@code
   *     listener}, ...)
   * @param errorType the failure's class name
   */
  record TelemetryFailure(String system, String operation, String errorType) {
    /**
     * Checks the arguments.
     *
     * @param system the messaging system
     * @param operation what Baton was doing ({@code inject}, {@code extract}, {@code span}, {@code
     *     listener}, ...)
     * @param errorType the failure's class name
     */
    public TelemetryFailure {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(errorType, "errorType");
    }
  }
}

final class NoopListener implements TransportListener {
  static final NoopListener INSTANCE = new NoopListener();

  private NoopListener() {}
}
