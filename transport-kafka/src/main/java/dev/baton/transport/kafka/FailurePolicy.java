/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a Kafka subscription does when its handler throws. A record is never silently dropped: it is
 * retried in place with exponential backoff; once the retries are spent it either goes to a
 * dead-letter topic (and its offset is committed only after the dead-letter topic acknowledged it)
 * or the subscription stops before that record, leaving it uncommitted for the next consumer of the
 * group. Immutable.
 *
 * <pre>{@code
 * FailurePolicy.retry(3, Duration.ofMillis(100), Duration.ofSeconds(2)).thenDeadLetter("tasks.dlq")
 * FailurePolicy.retry(5, Duration.ofMillis(200), Duration.ofSeconds(5)).thenStop()
 * }</pre>
 *
 * <p>The default is three retries from 100 ms up to 2 s, then stop.
 */
public final class FailurePolicy {

  private static final FailurePolicy DEFAULT =
      new FailurePolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), null);

  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final @Nullable String deadLetterTopic;

  private FailurePolicy(
      int maxRetries,
      Duration initialBackoff,
      Duration maxBackoff,
      @Nullable String deadLetterTopic) {
    this.maxRetries = maxRetries;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.deadLetterTopic = deadLetterTopic;
  }

  /** {@return the default policy: three retries from 100 ms up to 2 s, then stop} */
  public static FailurePolicy defaults() {
    return DEFAULT;
  }

  /**
   * Retries a failed record up to {@code maxRetries} times (0 for none), waiting {@code
   * initialBackoff}, doubling up to {@code maxBackoff}; say what happens next with {@link
   * Retries#thenDeadLetter(String)} or {@link Retries#thenStop()}.
   *
   * @param maxRetries how many times a failed record is retried, 0 or more
   * @param initialBackoff the wait before the first retry
   * @param maxBackoff the longest wait between two retries
   * @return the retries, to finish with {@link Retries#thenDeadLetter} or {@link Retries#thenStop}
   */
  public static Retries retry(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be 0 or more, was " + maxRetries);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must satisfy 0 <= initialBackoff <= maxBackoff, was "
              + initialBackoff
              + " and "
              + maxBackoff);
    }
    return new Retries(maxRetries, initialBackoff, maxBackoff);
  }

  /** The retry half of a policy. */
  public static final class Retries {
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private Retries(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
      this.maxRetries = maxRetries;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
    }

    /**
     * After the retries, publish the record to {@code topic} and move on.
     *
     * @param topic the dead-letter topic
     * @return the policy
     */
    public FailurePolicy thenDeadLetter(String topic) {
      Objects.requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw new IllegalArgumentException("the dead-letter topic must not be blank");
      }
      return new FailurePolicy(maxRetries, initialBackoff, maxBackoff, topic);
    }

    /**
     * After the retries, stop the subscription before the record (it stays uncommitted).
     *
     * @return the policy
     */
    public FailurePolicy thenStop() {
      return new FailurePolicy(maxRetries, initialBackoff, maxBackoff, null);
    }
  }

  /** {@return how many times a failed record is retried} */
  public int maxRetries() {
    return maxRetries;
  }

  /**
   * {@return the wait before retry {@code retry} (1-based)}
   *
   * @param retry the retry's number, from 1
   */
  public Duration backoff(int retry) {
    long millis = initialBackoff.toMillis();
    for (int i = 1; i < retry && millis < maxBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }

  /** {@return the dead-letter topic, or {@code null} when the policy stops instead} */
  public @Nullable String deadLetterTopic() {
    return deadLetterTopic;
  }

  @Override
  public String toString() {
    return "FailurePolicy[retries="
        + maxRetries
        + ", backoff="
        + initialBackoff
        + ".."
        + maxBackoff
        + ", then="
        + (deadLetterTopic == null ? "stop" : "dead-letter to " + deadLetterTopic)
        + "]";
  }
}
