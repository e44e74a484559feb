/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.CheckResult;
import dev.baton.health.HealthStatus;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.Meters;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener;
import dev.baton.transport.TransportListener.ConnectionEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A message the client cannot parse must not silence an agent. Another client writes raw protocol
 * over a socket: a header value outside printable ASCII, which jnats' reader rejects (nats.java
 * issue 1315), after which that connection reads nothing more while its status stays CONNECTED.
 */
class NatsPoisonTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BackplaneMetrics metrics = BackplaneMetrics.builder().build();
  private final Meters meters = new Meters(registry);

  NatsPoisonTest() {
    metrics.bindTo(registry);
  }

  /** Publishes {@code payload} with one header {@code x-bad: café} in raw protocol. */
  static void publishPoison(String subject, String payload) throws Exception {
    byte[] headers = "NATS/1.0\r\nx-bad: caf\u00e9\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    raw(
        out -> {
          out.write(
              ("HPUB "
                      + subject
                      + " "
                      + headers.length
                      + " "
                      + (headers.length + body.length)
                      + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(headers);
          out.write(body);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        });
  }

  interface Writer {
    void write(OutputStream out) throws Exception;
  }

  /** Connects a raw client, writes, and waits for the server's PONG so the bytes were taken. */
  static void raw(Writer writer) throws Exception {
    URI url = URI.create(NATS.url());
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).startsWith("INFO ");
      out.write(
          "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      writer.write(out);
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(in.readLine()).isEqualTo("PONG");
    }
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

  /** A builder for an agent on {@code connection} whose events go to {@code listeners}. */
  private static NatsBaton.Builder agent(
      String name, Connection connection, TransportListener... listeners) {
    Baton.Builder baton = Baton.builder(OTEL.getOpenTelemetry()).setAgentName(name);
    for (TransportListener listener : listeners) {
      baton.addListener(listener);
    }
    return NatsBaton.builder(baton.build(), connection);
  }

  @Test
  void fiveAgentsOnOneConnectionSendAtMostOnePingAtATimeAndNoneWhileMessagesFlow()
      throws Exception {
    // jnats drops a connection with more than maxPingsOut (2) PINGs outstanding: five watchdogs
    // each pinging on a busy machine did that. Now a connection that reads gets no PING, and one
    // that is idle gets one at a time.
    try (Connection connection = Nats.connect(NATS.url())) {
      List<NatsBaton> agents = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        agents.add(agent("agent-" + i, connection).build());
      }
      try {
        AtomicLong received = new AtomicLong();
        agents.get(0).subscriber().subscribe("busy.talk", null, m -> received.incrementAndGet());
        connection.flush(Duration.ofSeconds(5));
        long pingsBefore = connection.getStatistics().getPings();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
          for (int i = 0; i < 20; i++) {
            agents.get(1).publisher().publish("busy.talk", new byte[16]);
          }
          Thread.sleep(5);
        }
        long busyPings = connection.getStatistics().getPings() - pingsBefore;
        long idleFrom = connection.getStatistics().getPings();
        Await.during(
            "at most 11 PINGs in 2 idle s",
            Duration.ofSeconds(2),
            () -> connection.getStatistics().getPings() - idleFrom <= 11);
        long idlePings = connection.getStatistics().getPings() - idleFrom;
        System.out.println("[pings] busy 2 s: " + busyPings + ", idle 2 s: " + idlePings);
        assertThat(received.get()).isPositive();
        assertThat(busyPings).as("PINGs while messages flow for 2 s").isLessThanOrEqualTo(2);
        assertThat(idlePings)
            .as(
                "PINGs of five watchdogs in 2 idle s (before: 5 x 4 a second = 40; now at most one check per 200 ms for the connection)")
            .isLessThanOrEqualTo(11);
        assertThat(connection.getStatistics().getReconnects()).isZero();
      } finally {
        agents.forEach(NatsBaton::close);
      }
    }
  }

  @Test
  void aMessageTheClientCannotParseIsNoticedCountedAndDeliveryResumes() throws Exception {
    String subject = "poison." + UUID.randomUUID();
    RecordingListener listener = new RecordingListener();
    List<String> handled = new CopyOnWriteArrayList<>();
    try (Connection connection = Nats.connect(NATS.url());
        Connection other = Nats.connect(NATS.url());
        NatsBaton nats = agent("reader", connection, listener, metrics).build()) {
      nats.subscriber().subscribe(subject, m -> handled.add(m.payloadAsString()));
      connection.flush(Duration.ofSeconds(5));
      NatsHealthCheck health = NatsHealthCheck.builder(connection).build();
      assertThat(health.check().status()).isEqualTo(HealthStatus.HEALTHY);

      long sent = System.nanoTime();
      publishPoison(subject, "poison");
      Await.until(
          "the stall is noticed",
          Duration.ofSeconds(20),
          () -> listener.connection.stream().anyMatch(c -> c.event() == ConnectionEvent.STALLED));
      long noticedMillis = (System.nanoTime() - sent) / 1_000_000;
      Await.until(
          "reconnected",
          Duration.ofSeconds(20),
          () ->
              listener.connection.stream().anyMatch(c -> c.event() == ConnectionEvent.RECONNECTED)
                  && connection.getStatus() == Connection.Status.CONNECTED);
      connection.flush(Duration.ofSeconds(5)); // the subscription is back on the server

      for (int i = 0; i < 5; i++) {
        other.publish(subject, ("valid-" + i).getBytes(StandardCharsets.UTF_8));
      }
      other.flush(Duration.ofSeconds(5));

      Await.until("the five valid messages handled", () -> handled.size() == 5);
      assertThat(handled).containsExactly("valid-0", "valid-1", "valid-2", "valid-3", "valid-4");
      System.out.printf("stall noticed %d ms after the poison message%n", noticedMillis);
      assertThat(noticedMillis)
          .as("noticed within the 1 s stall timeout and its check period")
          .isLessThan(5000);
      assertThat(meters.counter("baton.connection.events", "event", "stalled")).isEqualTo(1);
      assertThat(meters.counter("baton.telemetry.failures", "operation", "stall")).isEqualTo(1);
      CheckResult afterwards = health.check();
      assertThat(afterwards.status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(afterwards.reason()).contains("stopped reading").contains("reconnected");
    }
  }

  @Test
  void aQuietConnectionIsNotMistakenForAStalledOne() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton nats =
            agent("idle", connection, listener).setStallTimeout(Duration.ofMillis(400)).build()) {
      nats.subscriber().subscribe("quiet." + UUID.randomUUID(), m -> {});
      // A bounded window: five stall timeouts of an idle, healthy connection.
      Await.during(
          "no stall and no reconnect on an idle connection",
          Duration.ofSeconds(2),
          () ->
              listener.connection.stream()
                  .noneMatch(
                      c ->
                          c.event() == ConnectionEvent.STALLED
                              || c.event() == ConnectionEvent.RECONNECTED));
      assertThat(listener.connection)
          .extracting(c -> c.event())
          .doesNotContain(ConnectionEvent.STALLED, ConnectionEvent.RECONNECTED);
    }
  }

  @Test
  void onJetStreamAHandlerThatAlwaysFailsIsGivenUpAfterItsLastDelivery() throws Exception {
    String stream = "FAILS" + UUID.randomUUID().toString().replace("-", "");
    String subject = stream + ".jobs";
    RecordingListener listener = new RecordingListener();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    try (Connection connection = Nats.connect(NATS.url());
        NatsBaton nats = agent("worker", connection, listener).setMaxDeliveries(3).build()) {
      addStream(connection, stream, subject);
      nats.jetStreamSubscriber(stream)
          .subscribe(
              subject,
              "workers",
              m -> {
                attempts.add(m.deliveryCount());
                throw new IllegalStateException("always fails");
              });

      nats.jetStreamPublisher()
          .publish(OutboundMessage.of(subject, "doomed"))
          .get(10, TimeUnit.SECONDS);

      Await.until("three attempts settled", () -> listener.processed.size() == 3);
      assertThat(attempts).containsExactly(1, 2, 3);
      assertThat(listener.processed)
          .extracting(p -> p.outcome())
          .containsExactly(Outcome.NAK, Outcome.NAK, Outcome.DEAD_LETTERED);
      Await.until(
          "nothing left pending on the consumer",
          () -> pendingAcks(connection, stream, "workers") == 0);
    }
  }

  private static long pendingAcks(Connection connection, String stream, String consumer) {
    try {
      return connection.jetStreamManagement().getConsumerInfo(stream, consumer).getNumAckPending();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void onJetStreamAnUnreadableMessageIsRemovedAndTheMessagesBehindItAreRedelivered()
      throws Exception {
    String stream = "POISON" + UUID.randomUUID().toString().replace("-", "");
    String subject = stream + ".jobs";
    RecordingListener listener = new RecordingListener();
    List<String> handled = new CopyOnWriteArrayList<>();
    try (Connection connection = Nats.connect(NATS.url());
        Connection other = Nats.connect(NATS.url());
        NatsBaton nats =
            agent("worker", connection, listener, metrics)
                .setAckWait(Duration.ofSeconds(2))
                .build()) {
      addStream(connection, stream, subject);
      nats.jetStreamSubscriber(stream)
          .subscribe(subject, "workers", m -> handled.add(m.payloadAsString()));

      publishPoison(subject, "poison");
      for (int i = 0; i < 5; i++) {
        other.jetStream().publish(subject, ("valid-" + i).getBytes(StandardCharsets.UTF_8));
      }

      Await.until(
          "the five valid messages handled (redelivered after the 2 s ack wait)",
          Duration.ofSeconds(30),
          () -> handled.size() >= 5);
      Await.until(
          "the unreadable message removed, counted",
          () -> meters.counter("baton.telemetry.failures", "operation", "unreadable") == 1);
      // A bounded window of two more ack waits: a redelivered poison would stall again.
      Await.during(
          "no second stall",
          Duration.ofSeconds(5),
          () -> meters.counter("baton.connection.events", "event", "stalled") == 1);
      assertThat(meters.counter("baton.connection.events", "event", "stalled")).isEqualTo(1);
      assertThat(handled)
          .containsExactlyInAnyOrder("valid-0", "valid-1", "valid-2", "valid-3", "valid-4");
      assertThat(other.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount())
          .as("the five valid messages stay; the unreadable one is gone")
          .isEqualTo(5);
    }
  }

  /**
   * Fourteen header sets jnats cannot hold as they are (bytes outside US-ASCII in values and keys,
   * DEL, a lone CR and a lone LF, a broken traceparent and Baton header), and one it can (a control
   * character in a value): with their index as the payload.
   */
  static final List<byte[]> HOSTILE_HEADERS =
      List.of(
          bytes("x-bad: caf\u00c3\u00a9"),
          bytes("x-bad: caf\u00e9"),
          bytes("x-emoji: \u00f0\u009f\u0098\u0080"),
          bytes("x-del: a\u007fb"),
          bytes("x-ff: \u00ff\u00fe"),
          bytes("k\u00c3\u00a9y: v"),
          bytes("traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\u00c3\u00a9"),
          bytes("baton: 1;1733241600000000;0af7651916cd43dd8448eb211c80319c;ag\u00e9nt"),
          bytes("x-lf: a\nb"),
          bytes("x-cr: a\rb"),
          bytes("x-one: \u00e9\r\nx-two: \u00e8"),
          bytes("x key: v"),
          bytes("x-all: \u0080\u0081\u0082"),
          bytes("x-tab-\u0001: \u0001"),
          bytes("x-ctl: a\u0001b"));

  /** The characters of {@code s} as bytes, one each (ISO-8859-1): raw protocol. */
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Publishes every hostile header set, then one valid message, in one burst, raw. */
  private static void publishHostile(String subject) throws Exception {
    raw(
        out -> {
          for (int i = 0; i <= HOSTILE_HEADERS.size(); i++) {
            byte[] block =
                i < HOSTILE_HEADERS.size()
                    ? concat(bytes("NATS/1.0\r\n"), HOSTILE_HEADERS.get(i), bytes("\r\n\r\n"))
                    : bytes("NATS/1.0\r\nx-fine: yes\r\n\r\n");
            byte[] body = bytes(i < HOSTILE_HEADERS.size() ? "hostile-" + i : "valid");
            out.write(
                bytes(
                    "HPUB "
                        + subject
                        + " "
                        + block.length
                        + " "
                        + (block.length + body.length)
                        + "\r\n"));
            out.write(block);
            out.write(body);
            out.write(bytes("\r\n"));
          }
        });
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static Connection safeConnection() throws Exception {
    return Nats.connect(
        new io.nats.client.Options.Builder()
            .server(NATS.url())
            .dataPortType(SafeHeadersDataPort.class.getName())
            .build());
  }

  @Test
  void withSafeHeadersEveryHostileHeaderSetReachesTheHandlerWithNoStall() throws Exception {
    String subject = "hostile." + UUID.randomUUID();
    RecordingListener listener = new RecordingListener();
    List<Message> handled = new CopyOnWriteArrayList<>();
    try (Connection connection = safeConnection();
        NatsBaton nats = agent("reader", connection, listener, metrics).build()) {
      assertThat(SafeHeadersDataPort.protects(connection)).isTrue();
      nats.subscriber().subscribe(subject, handled::add);
      connection.flush(Duration.ofSeconds(5));

      publishHostile(subject);

      int all = HOSTILE_HEADERS.size() + 1;
      Await.until("every message handled", () -> handled.size() == all);
      assertThat(handled).extracting(Message::payloadAsString).endsWith("valid");
      assertThat(handled.get(0).headers()).containsEntry("x-bad", "caf??");
      assertThat(handled.get(5).headers()).containsEntry("k__y", "v");
      assertThat(handled.get(11).headers()).containsEntry("x_key", "v");
      assertThat(handled.get(14).headers()).containsEntry("x-ctl", "a\u0001b");
      // Fourteen sets had bytes replaced (the control character in the last value is readable
      // as it is): one telemetry failure each, with its reason.
      Await.until(
          "the repairs reported",
          () -> meters.counter("baton.telemetry.failures", "operation", "header") == 14);
      assertThat(SafeHeadersDataPort.repairedMessages(connection)).isEqualTo(14);
      assertThat(listener.failures)
          .filteredOn(f -> f.operation().equals("header"))
          .allSatisfy(f -> assertThat(f.errorType()).contains("HeaderBytesReplaced"));
      assertThat(listener.connection)
          .extracting(c -> c.event())
          .doesNotContain(ConnectionEvent.STALLED, ConnectionEvent.RECONNECTED);
      assertThat(meters.counter("baton.connection.events", "event", "stalled")).isZero();
    }
  }

  @Test
  void onJetStreamWithSafeHeadersEveryHostileMessageIsHandledAndAckedOnce() throws Exception {
    String stream = "HOSTILE" + UUID.randomUUID().toString().replace("-", "");
    String subject = stream + ".jobs";
    RecordingListener listener = new RecordingListener();
    List<String> handled = new CopyOnWriteArrayList<>();
    try (Connection connection = safeConnection();
        NatsBaton nats = agent("worker", connection, listener, metrics).build()) {
      addStream(connection, stream, subject);
      nats.jetStreamSubscriber(stream)
          .subscribe(subject, "workers", m -> handled.add(m.payloadAsString()));

      publishHostile(subject);

      int all = HOSTILE_HEADERS.size() + 1;
      Await.until("every message handled", () -> handled.size() == all);
      Await.until(
          "every message acknowledged", () -> pendingAcks(connection, stream, "workers") == 0);
      assertThat(handled).hasSize(all).doesNotHaveDuplicates();
      assertThat(listener.processed).extracting(p -> p.outcome()).containsOnly(Outcome.ACK);
      assertThat(listener.connection)
          .extracting(c -> c.event())
          .doesNotContain(ConnectionEvent.STALLED, ConnectionEvent.RECONNECTED);
    }
  }
}
