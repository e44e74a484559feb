package dev.baton.transport;

import java.time.Duration;
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

  /** A message was sent (the broker acknowledged it, or it was handed to a client without acks). */
  default void onSent(Sent event) {}

  /** A message arrived and is about to be handled. */
  default void onReceived(Received event) {}

  /** A handler finished with a message. */
  default void onProcessed(Processed event) {}

  /** A backlog probe measured how far a consumer is behind. */
  default void onBacklog(Backlog event) {}

  /** The broker connection changed state or reported a problem. */
  default void onConnection(ConnectionChange event) {}

  /** Part of a message's propagated context was rejected (see {@link RejectionReason}). */
  default void onRejectedContext(RejectedContext event) {}

  /** Baton's own instrumentation failed; the message went on without it. */
  default void onTelemetryFailure(TelemetryFailure event) {}

  /** A listener that ignores everything. */
  static TransportListener noop() {
    return NoopListener.INSTANCE;
  }

  /**
   * A message was sent.
   *
   * @param system the messaging system ({@code nats}, {@code kafka})
   * @param destination the subject or topic
   * @param payloadBytes the payload size
   * @param duration from the send call to the broker's acknowledgement (or hand-off)
   * @param errorType the error's type when the send failed, {@code null} on success
   */
  record Sent(
      String system,
      String destination,
      int payloadBytes,
      Duration duration,
      @Nullable String errorType) {
    /** Checks the arguments. */
    public Sent {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(duration, "duration");
    }
  }

  /**
   * A message arrived.
   *
   * @param system the messaging system
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param payloadBytes the payload size
   * @param deliveryLatency from the sender's sent-at stamp to now (never negative), or {@code null}
   *     when the message carried no valid stamp
   * @param deliveryCount 1 on the first delivery, more on a redelivery
   */
  record Received(
      String system,
      String destination,
      String group,
      int payloadBytes,
      @Nullable Duration deliveryLatency,
      int deliveryCount) {
    /** Checks the arguments. */
    public Received {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
    }
  }

  /**
   * A handler finished.
   *
   * @param system the messaging system
   * @param destination the subject or topic
   * @param group the queue or consumer group, empty for none
   * @param outcome acknowledged or not
   * @param duration how long the handler ran
   * @param errorType the exception's class name when the handler threw, else {@code null}
   */
  record Processed(
      String system,
      String destination,
      String group,
      Outcome outcome,
      Duration duration,
      @Nullable String errorType) {
    /** Checks the arguments. */
    public Processed {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(duration, "duration");
    }
  }

  /**
   * How far a consumer is behind.
   *
   * @param system the messaging system
   * @param destination the subject, stream or topic
   * @param group the queue or consumer group, empty for none
   * @param pendingMessages messages waiting for this consumer, or -1 when unknown
   * @param pendingBytes bytes waiting in this process, or -1 when unknown
   */
  record Backlog(
      String system, String destination, String group, long pendingMessages, long pendingBytes) {
    /** Checks the arguments. */
    public Backlog {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(group, "group");
    }
  }

  /** What happened to a broker connection. */
  enum ConnectionState {
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
    /** The client or the broker reported an error. */
    ERROR
  }

  /**
   * A connection event.
   *
   * @param system the messaging system
   * @param state what happened
   * @param detail a short description with credentials redacted (never a payload)
   */
  record ConnectionChange(String system, ConnectionState state, String detail) {
    /** Checks the arguments. */
    public ConnectionChange {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(state, "state");
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
    /** Checks the arguments. */
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
    /** Checks the arguments. */
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
