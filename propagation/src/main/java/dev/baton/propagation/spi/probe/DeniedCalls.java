/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi.probe;

import dev.baton.propagation.spi.TransportEvents;
import dev.baton.transport.internal.Redaction;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls a broker refused Baton for want of a permission, per feature and target, so that a
 * transport's probe or check asks again only rarely instead of every interval: a refusal is
 * reported once (a WARN in the log, a {@code denied} event to the listeners, which count it and
 * show it on {@code /health}), the call is skipped until {@code retryAfter} has passed, and the
 * first call that goes through again is reported as permitted. Thread-safe.
 */
public final class DeniedCalls {

  private static final Logger log = LoggerFactory.getLogger(DeniedCalls.class);

  private final TransportEvents events;
  private final long retryAfterNanos;
  private final LongSupplier clock;
  private final Map<String, Long> deniedAt = new ConcurrentHashMap<>();

  /**
   * Refused calls of the transport whose {@code events} ({@link
   * dev.baton.propagation.spi.MessagingEngine#events()}) hear of them, asked again after {@code
   * retryAfter}.
   *
   * @param events where refusals are reported
   * @param retryAfter how long a refused call waits before it is tried again
   */
  public DeniedCalls(TransportEvents events, Duration retryAfter) {
    this(events, retryAfter, System::nanoTime);
  }

  DeniedCalls(TransportEvents events, Duration retryAfter, LongSupplier clock) {
    this.events = Objects.requireNonNull(events, "events");
    this.retryAfterNanos = Objects.requireNonNull(retryAfter, "retryAfter").toNanos();
    this.clock = clock;
  }

  /**
   * {@return how long a refused call waits, for a probe that runs every {@code probeInterval}: a
   * hundred intervals, at least 1 s and at most 5 minutes (so a permission granted later is
   * noticed)}
   *
   * @param probeInterval the probe's interval
   */
  public static Duration retryAfter(Duration probeInterval) {
    Duration hundred = probeInterval.multipliedBy(100);
    if (hundred.compareTo(Duration.ofSeconds(1)) < 0) {
      return Duration.ofSeconds(1);
    }
    return hundred.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : hundred;
  }

  /**
   * What a transport's probe calls through: {@code call} unless it was refused less than the retry
   * time ago (then {@code null}); when it throws, {@code refusal} says whether the broker refused
   * it (its detail) or not ({@code null}: the exception is rethrown); a refusal is recorded as by
   * {@link #denied} and gives {@code null}; a call that goes through clears an earlier refusal.
   *
   * @param <T> the call's result type
   * @param feature what the call serves
   * @param target what it is about
   * @param call the broker call
   * @param refusal the broker's detail when an exception is a refusal, {@code null} when it is
   *     another failure
   * @return the call's result, or {@code null} when it was skipped or refused
   * @throws Exception the call's failure when it is not a refusal
   */
  public <T> @Nullable T attempt(
      String feature,
      String target,
      Callable<T> call,
      Function<Exception, @Nullable String> refusal)
      throws Exception {
    if (!mayTry(feature, target)) {
      return null;
    }
    T result;
    try {
      result = call.call();
    } catch (Exception e) {
      String detail = refusal.apply(e);
      if (detail == null) {
        throw e;
      }
      denied(feature, target, detail);
      return null;
    }
    permitted(feature, target);
    return result;
  }

  /**
   * {@return whether to make the call now: always, unless it was refused less than the retry time
   * ago}
   *
   * @param feature what the call serves
   * @param target what it is about
   */
  public boolean mayTry(String feature, String target) {
    Long at = deniedAt.get(key(feature, target));
    return at == null || clock.getAsLong() - at >= retryAfterNanos;
  }

  /**
   * {@return whether the call is refused at the moment}
   *
   * @param feature what the call serves
   * @param target what it is about
   */
  public boolean isDenied(String feature, String target) {
    return deniedAt.containsKey(key(feature, target));
  }

  /**
   * The broker refused the call: the first refusal is logged and reported; a refusal after a retry
   * only restarts the wait. {@code detail} is redacted here.
   *
   * @param feature what the call serves
   * @param target what it is about
   * @param detail the broker's words, redacted
   */
  public void denied(String feature, String target, String detail) {
    String redacted = Redaction.redact(detail);
    if (deniedAt.put(key(feature, target), clock.getAsLong()) == null) {
      log.warn(
          "Baton {}: not permitted: {} for {} is off until the permission is granted ({}); asked"
              + " again every {} s",
          events.system(),
          feature,
          target,
          redacted,
          Math.max(1, retryAfterNanos / 1_000_000_000L));
      events.permission(feature, target, true, redacted);
    }
  }

  /**
   * The call went through: if it had been refused, that is reported as over.
   *
   * @param feature what the call serves
   * @param target what it is about
   */
  public void permitted(String feature, String target) {
    if (deniedAt.remove(key(feature, target)) != null) {
      log.info("Baton {}: {} for {} is permitted again", events.system(), feature, target);
      events.permission(feature, target, false, "permitted again");
    }
  }

  private static String key(String feature, String target) {
    return feature + '\u0000' + target;
  }
}
