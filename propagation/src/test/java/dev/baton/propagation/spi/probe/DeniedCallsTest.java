/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.Baton;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** A refused call is reported once, skipped until its retry time, and cleared when it passes. */
class DeniedCallsTest {

  private final RecordingListener events = new RecordingListener();
  private final MessagingEngine<?> engine =
      MessagingEngine.create(
          Baton.builder(OpenTelemetry.noop()).setAgentName("a").addListener(events).build(),
          MapHeaders.WIRE);
  private final AtomicLong now = new AtomicLong(1_000);
  private final DeniedCalls denied =
      new DeniedCalls(engine.events(), Duration.ofSeconds(5), now::get);

  @Test
  void aRefusalIsReportedOnceSkippedUntilItsRetryAndClearedWhenTheCallPasses() {
    assertThat(denied.mayTry("backlog", "group g")).isTrue();

    denied.denied("backlog", "group g", "Not authorized to access group: g password=hunter2");
    denied.denied("backlog", "group g", "again");

    assertThat(events.permissions)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.denied()).isTrue();
              assertThat(p.system()).isEqualTo("test");
              assertThat(p.feature()).isEqualTo("backlog");
              assertThat(p.target()).isEqualTo("group g");
              assertThat(p.detail()).contains("Not authorized").doesNotContain("hunter2");
            });
    assertThat(denied.isDenied("backlog", "group g")).isTrue();
    assertThat(denied.mayTry("backlog", "group g")).isFalse();
    assertThat(denied.mayTry("backlog", "group other")).isTrue();
    assertThat(denied.mayTry("backlog.age", "group g")).isTrue();

    now.addAndGet(Duration.ofSeconds(5).toNanos() - 1);
    assertThat(denied.mayTry("backlog", "group g")).isFalse();
    now.incrementAndGet();
    assertThat(denied.mayTry("backlog", "group g")).isTrue();

    // Refused again on the retry: the wait starts over, nothing new is reported.
    denied.denied("backlog", "group g", "still not");
    assertThat(denied.mayTry("backlog", "group g")).isFalse();
    assertThat(events.permissions).hasSize(1);

    now.addAndGet(Duration.ofSeconds(5).toNanos());
    denied.permitted("backlog", "group g");
    denied.permitted("backlog", "group g");
    assertThat(events.permissions).hasSize(2);
    assertThat(events.permissions.get(1).denied()).isFalse();
    assertThat(denied.isDenied("backlog", "group g")).isFalse();
    assertThat(denied.mayTry("backlog", "group g")).isTrue();
  }

  @Test
  void theRetryIsAHundredProbeIntervalsBetweenASecondAndFiveMinutes() {
    assertThat(DeniedCalls.retryAfter(Duration.ofSeconds(10))).isEqualTo(Duration.ofMinutes(5));
    assertThat(DeniedCalls.retryAfter(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(200));
    assertThat(DeniedCalls.retryAfter(Duration.ofMillis(50))).isEqualTo(Duration.ofSeconds(5));
    assertThat(DeniedCalls.retryAfter(Duration.ofMillis(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(DeniedCalls.retryAfter(Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void anAttemptRecordsARefusalSkipsWhileDeniedRethrowsOtherFailuresAndClearsOnSuccess()
      throws Exception {
    Function<Exception, String> refusal =
        e -> e instanceof SecurityException ? "refused: " + e.getMessage() : null;

    assertThat(
            denied.<String>attempt(
                "backlog",
                "t",
                () -> {
                  throw new SecurityException("no");
                },
                refusal))
        .isNull();
    assertThat(events.permissions)
        .singleElement()
        .satisfies(p -> assertThat(p.detail()).isEqualTo("refused: no"));
    AtomicInteger calls = new AtomicInteger();
    assertThat(denied.attempt("backlog", "t", calls::incrementAndGet, refusal)).isNull();
    assertThat(calls).hasValue(0);

    now.addAndGet(Duration.ofSeconds(5).toNanos());
    Assertions.assertThatThrownBy(
            () ->
                denied.attempt(
                    "backlog",
                    "t",
                    () -> {
                      throw new IOException("timeout");
                    },
                    refusal))
        .isInstanceOf(IOException.class);
    assertThat(denied.attempt("backlog", "t", calls::incrementAndGet, refusal)).isEqualTo(1);
    assertThat(events.permissions).hasSize(2);
    assertThat(events.permissions.get(1).denied()).isFalse();
  }
}
