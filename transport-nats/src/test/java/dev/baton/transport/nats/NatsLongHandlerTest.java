/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.Meters;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent's handler that works longer than the broker holds its message (an LLM call, a chain of
 * tool calls) runs once: Baton keeps JetStream from redelivering it while it works, and past the
 * agent's maximum handler time gives it up the way JetStream expects, counted and on the span.
 */
class NatsLongHandlerTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Meters meters = new Meters(registry);

  @Test
  void aHandlerFourTimesLongerThanTheAckWaitRunsOnceAndIsAcknowledgedOnce() throws Exception {
    String stream = "LONG" + UUID.randomUUID().toString().replace("-", "");
    String subject = stream + ".jobs";
    RecordingListener listener = new RecordingListener();
    List<Integer> runs = new CopyOnWriteArrayList<>();
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton nats =
            NatsBaton.builder(baton(listener).build(), connection)
                .setAckWait(Duration.ofSeconds(2))
                .build()) {
      addStream(connection, stream, subject);
      nats.jetStreamSubscriber(stream)
          .subscribe(
              subject,
              "workers",
              m -> {
                runs.add(m.deliveryCount());
                Thread.sleep(8_000); // the agent's long step
              });

      nats.jetStreamPublisher()
          .publish(OutboundMessage.of(subject, "think hard"))
          .get(10, TimeUnit.SECONDS);

      Await.until("the handler finished", () -> listener.processed.size() == 1);
      assertThat(listener.processed.get(0).outcome()).isEqualTo(Outcome.ACK);
      // Without Baton's in-progress acks the server redelivers every 2 s while the first run works.
      Await.during("no redelivery after the ack", Duration.ofSeconds(3), () -> runs.size() == 1);
      assertThat(runs).containsExactly(1);
      assertThat(pendingAcks(connection, stream, "workers")).isZero();
      assertThat(redeliveries(connection, stream, "workers")).isZero();
    }
  }

  @Test
  void pastTheMaximumHandlerTimeTheMessageIsGivenUpOnceCountedAndMarked() throws Exception {
    String stream = "SLOW" + UUID.randomUUID().toString().replace("-", "");
    String subject = stream + ".jobs";
    RecordingListener listener = new RecordingListener();
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    List<Integer> runs = new CopyOnWriteArrayList<>();
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton nats =
            NatsBaton.builder(
                    baton(listener)
                        .addListener(metrics)
                        .setMaxHandlerTime(Duration.ofSeconds(2))
                        .build(),
                    connection)
                .setAckWait(Duration.ofSeconds(30))
                .build()) {
      addStream(connection, stream, subject);
      nats.jetStreamSubscriber(stream)
          .subscribe(
              subject,
              "workers",
              m -> {
                runs.add(m.deliveryCount());
                if (m.deliveryCount() == 1) {
                  Thread.sleep(4_000); // stuck past the 2 s the agent allows
                }
              });

      nats.jetStreamPublisher()
          .publish(OutboundMessage.of(subject, "stuck"))
          .get(10, TimeUnit.SECONDS);

      // Given up (nak) at 2 s, not after the 30 s ack wait: the redelivery runs once the
      // stuck handler returns.
      Await.until("both deliveries settled", () -> listener.processed.size() == 2);
      assertThat(runs).containsExactly(1, 2);
      assertThat(listener.processed)
          .extracting(p -> p.outcome())
          .containsExactly(Outcome.ABANDONED, Outcome.ACK);
      assertThat(listener.processed.get(0).errorType()).isEqualTo("baton.handler_timeout");
      assertThat(meters.counter("baton.processed.messages", "outcome", "abandoned")).isEqualTo(1.0);
      Await.until(
          "nothing left pending on the consumer",
          () -> pendingAcks(connection, stream, "workers") == 0);
      List<SpanData> process =
          OTEL.getSpans().stream()
              .filter(s -> s.getKind() == SpanKind.CONSUMER)
              .filter(s -> s.getName().startsWith("process"))
              .toList();
      assertThat(process)
          .extracting(s -> s.getAttributes().get(AttributeKey.stringKey("error.type")))
          .containsExactly("baton.handler_timeout", null);
    }
  }

  @Test
  void theMaximumHandlerTimeIsAtLeastOneSecond() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> baton(new RecordingListener()).setMaxHandlerTime(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one second");
  }

  private static Baton.Builder baton(RecordingListener listener) {
    return Baton.builder(OTEL.getOpenTelemetry()).setAgentName("thinker").addListener(listener);
  }

  private static void addStream(Connection connection, String stream, String subject)
      throws Exception {
    connection
        .jetStreamManagement()
        .addStream(
            StreamConfiguration.builder()
                .name(stream)
                .subjects(subject)
                .storageType(StorageType.Memory)
                .build());
  }

  private static long pendingAcks(Connection connection, String stream, String consumer) {
    try {
      return connection.jetStreamManagement().getConsumerInfo(stream, consumer).getNumAckPending();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long redeliveries(Connection connection, String stream, String consumer) {
    try {
      return connection.jetStreamManagement().getConsumerInfo(stream, consumer).getRedelivered();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
