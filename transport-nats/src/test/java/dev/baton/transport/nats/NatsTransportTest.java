/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.Baton;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Outcome;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import dev.baton.transport.TransportListener.ConnectionEvent;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What is specific to NATS: JetStream, the wire format, connection events, backlog. */
class NatsTransportTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  static final AttributeKey<Long> DELIVERY_COUNT =
      AttributeKey.longKey("baton.message.delivery_count");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Connection connect() throws Exception {
    return connect(Options.builder().server(NATS.url()));
  }

  private Connection connect(Options.Builder options) throws Exception {
    Connection connection = Nats.connect(options.build());
    toClose.add(connection);
    return connection;
  }

  private NatsBaton baton(Connection connection, String agent) {
    NatsBaton nats =
        NatsBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName(agent)
                    .addListener(listener)
                    .build(),
                connection)
            .setBacklogInterval(Duration.ZERO)
            .build();
    toClose.add(nats);
    return nats;
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void createStream(Connection connection, String stream) throws Exception {
    JetStreamManagement jsm = connection.jetStreamManagement();
    jsm.addStream(
        StreamConfiguration.builder()
            .name(stream)
            .subjects(stream + ".>")
            .storageType(StorageType.Memory)
            .duplicateWindow(Duration.ofMinutes(2))
            .build());
  }

  @Test
  void jetStreamAcksEveryMessageOnceARedeliveredOneSucceeds() throws Exception {
    Connection connection = connect();
    String stream = unique("JS");
    createStream(connection, stream);
    NatsBaton nats = baton(connection, "worker");
    Set<String> done = ConcurrentHashMap.newKeySet();
    nats.jetStreamSubscriber(stream)
        .subscribe(
            stream + ".tasks",
            "workers",
            m -> {
              if (m.payloadAsString().equals("task-2") && m.deliveryCount() == 1) {
                throw new IllegalStateException("flaky tool call");
              }
              done.add(m.payloadAsString());
            });

    List<PublishReceipt> receipts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      receipts.add(
          nats.jetStreamPublisher()
              .publish(OutboundMessage.of(stream + ".tasks", "task-" + i))
              .get(10, TimeUnit.SECONDS));
    }

    Await.until("all five handled", () -> done.size() == 5);
    assertThat(receipts).extracting(PublishReceipt::partition).containsOnly(stream);
    assertThat(receipts).extracting(PublishReceipt::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
    Await.until("acks settled", () -> consumerIdle(connection, stream, "workers"));
    List<SpanData> sends =
        Await.size(
            "send spans",
            5,
            () -> OTEL.getSpans().stream().filter(s -> s.getKind() == SpanKind.PRODUCER).toList());
    assertThat(sends)
        .extracting(s -> s.getAttributes().get(AttributeKey.longKey("baton.message.sequence")))
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
    assertThat(sends)
        .extracting(s -> s.getAttributes().get(AttributeKey.stringKey("baton.nats.stream")))
        .containsOnly(stream);
    Await.until("six deliveries processed", () -> listener.processed.size() == 6);
    assertThat(listener.processed.stream().filter(p -> p.outcome() == Outcome.NAK)).hasSize(1);
  }

  private static boolean consumerIdle(Connection connection, String stream, String consumer) {
    try {
      var info = connection.jetStreamManagement().getConsumerInfo(stream, consumer);
      return info.getNumPending() == 0 && info.getNumAckPending() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void jetStreamDeduplicatesARetriedPublishByMessageId() throws Exception {
    Connection connection = connect();
    String stream = unique("DEDUP");
    createStream(connection, stream);
    NatsBaton nats = baton(connection, "producer");
    OutboundMessage message = OutboundMessage.of(stream + ".x", "once").withId("order-17");

    PublishReceipt first = nats.jetStreamPublisher().publish(message).get(10, TimeUnit.SECONDS);
    PublishReceipt retry = nats.jetStreamPublisher().publish(message).get(10, TimeUnit.SECONDS);

    assertThat(first.duplicate()).isFalse();
    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.sequence()).isEqualTo(first.sequence());
    assertThat(
            connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount())
        .isEqualTo(1);
  }

  @Test
  void jetStreamPublishToNoStreamIsAnErrorSpanAndTheClientsException() throws Exception {
    NatsBaton nats = baton(connect(), "producer");

    CompletableFuture<PublishReceipt> future =
        nats.jetStreamPublisher().publish(OutboundMessage.of(unique("nostream.") + ".x", "lost?"));

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    SpanData send = Await.size("spans", 1, OTEL::getSpans).get(0);
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(send.getAttributes().get(AttributeKey.stringKey("error.type"))).isNotBlank();
    assertThat(listener.sent).singleElement().satisfies(s -> assertThat(s.errorType()).isNotNull());
  }

  @Test
  void theDurableSubscriberSaysWhichStreamToNameWhenNoneOrSeveralStoreTheSubject()
      throws Exception {
    Connection connection = connect();
    String first = unique("A");
    String second = unique("B");
    createStream(connection, first);
    createStream(connection, second);
    NatsBaton nats = baton(connection, "worker");
    String nowhere = unique("nowhere.");

    assertThatThrownBy(() -> nats.durableSubscriber().subscribe(nowhere, m -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no JetStream stream stores '" + nowhere + "'")
        .hasMessageContaining("jetStreamSubscriber(stream)");
    assertThatThrownBy(() -> nats.durableSubscriber().subscribe(">", m -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(first)
        .hasMessageContaining(second)
        .hasMessageContaining("name one with jetStreamSubscriber(stream)");
    assertThat(listener.subscriptions).isEmpty();

    // The same transport goes on working: one stream stores this subject.
    List<String> got = new CopyOnWriteArrayList<>();
    nats.durableSubscriber()
        .subscribe(first + ".tasks", "workers", m -> got.add(m.payloadAsString()));
    nats.durablePublisher()
        .publish(OutboundMessage.of(first + ".tasks", "kept"))
        .get(10, TimeUnit.SECONDS);
    Await.until("the durable message handled", () -> got.equals(List.of("kept")));
    assertThat(nats.durablePublisher()).isSameAs(nats.jetStreamPublisher());
  }

  @Test
  void aNamedStreamIsTheDurablePathWithNoLookUp() throws Exception {
    Connection connection = connect();
    String named = unique("N");
    String other = unique("O");
    createStream(connection, named);
    createStream(connection, other);
    NatsBaton nats =
        NatsBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry()).setAgentName("worker").build(), connection)
            .setBacklogInterval(Duration.ZERO)
            .setStream(named)
            .build();
    toClose.add(nats);

    // A subject only the other stream stores: a look-up would find it; the named stream refuses.
    assertThatThrownBy(() -> nats.durableSubscriber().subscribe(other + ".tasks", m -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("JetStream refused a consumer on stream '" + named + "'");
    List<String> got = new CopyOnWriteArrayList<>();
    nats.durableSubscriber()
        .subscribe(named + ".tasks", "workers", m -> got.add(m.payloadAsString()));
    nats.durablePublisher()
        .publish(OutboundMessage.of(named + ".tasks", "kept"))
        .get(10, TimeUnit.SECONDS);
    Await.until("the durable message handled", () -> got.equals(List.of("kept")));
    assertThatThrownBy(
            () ->
                NatsBaton.builder(Baton.builder(OTEL.getOpenTelemetry()).build(), connection)
                    .setStream(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void flush(Connection connection) throws Exception {
    connection.flush(Duration.ofSeconds(5));
  }

  @Test
  void noRespondersIsAnErrorSpanAndTheClientsException() throws Exception {
    NatsBaton nats = baton(connect(), "requester");

    CompletableFuture<Message> reply =
        nats.publisher().request(unique("nobody."), new byte[0], Duration.ofSeconds(5));

    assertThatThrownBy(() -> reply.get(10, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class);
    SpanData send = Await.size("spans", 1, OTEL::getSpans).get(0);
    assertThat(send.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("no_responders");
  }

  @Test
  void aHandlerExceptionGoesToTheConnectionsErrorListenerUnchanged() throws Exception {
    List<Exception> seenByUser = new CopyOnWriteArrayList<>();
    ErrorListener users =
        new ErrorListener() {
          @Override
          public void exceptionOccurred(Connection conn, Exception exp) {
            seenByUser.add(exp);
          }
        };
    Connection connection =
        connect(
            Options.builder().server(NATS.url()).errorListener(NatsErrorListener.wrapping(users)));
    NatsBaton nats = baton(connection, "consumer");
    String subject = unique("boom.");
    IllegalArgumentException boom = new IllegalArgumentException("bad input from the model");
    nats.subscriber()
        .subscribe(
            subject,
            m -> {
              throw boom;
            });
    flush(connection);

    nats.publisher().publish(subject, new byte[] {1});

    Await.until("the user's error listener saw it", () -> !seenByUser.isEmpty());
    assertThat(seenByUser).containsExactly(boom);
    Await.until("Baton reported it", () -> !listener.connection.isEmpty());
    assertThat(listener.connection)
        .anySatisfy(
            c -> {
              assertThat(c.event()).isEqualTo(ConnectionEvent.ERROR);
              assertThat(c.detail()).contains("IllegalArgumentException");
            });
  }

  @Test
  void credentialsInTheServerUrlNeverReachSpansOrEvents() throws Exception {
    String url = NATS.url().replace("nats://", "nats://alice:s3cret-pw@");
    Connection connection = connect(Options.builder().server(url));
    NatsBaton nats = baton(connection, "producer");

    nats.publisher().publish(unique("creds."), new byte[] {1});

    SpanData send = Await.size("spans", 1, OTEL::getSpans).get(0);
    assertThat(send.getAttributes().get(AttributeKey.stringKey("server.address")))
        .isEqualTo("127.0.0.1");
    assertThat(send.getAttributes().asMap().values().toString())
        .doesNotContain("s3cret")
        .doesNotContain("alice");
    assertThat(listener.connection.toString()).doesNotContain("s3cret");
  }

  @Test
  void connectionEventsFollowABrokerKillAndRestart() throws Exception {
    Connection connection =
        connect(
            Options.builder()
                .server(NATS.url())
                .reconnectWait(Duration.ofMillis(50))
                .reconnectJitter(Duration.ofMillis(1))
                .maxReconnects(-1));
    NatsBaton nats = baton(connection, "survivor");
    String subject = unique("outage.");
    CountDownLatch got = new CountDownLatch(1);
    nats.subscriber().subscribe(subject, m -> got.countDown());
    flush(connection);

    NATS.kill();
    Await.until("DISCONNECTED", () -> events().contains(ConnectionEvent.DISCONNECTED));
    nats.publisher()
        .publish(subject, "buffered during the outage".getBytes(StandardCharsets.UTF_8));
    NATS.restart();

    Await.until("RECONNECTED", () -> events().contains(ConnectionEvent.RECONNECTED));
    assertThat(got.await(20, TimeUnit.SECONDS)).as("the buffered message arrived").isTrue();
    assertThat(events().indexOf(ConnectionEvent.DISCONNECTED))
        .isLessThan(events().indexOf(ConnectionEvent.RECONNECTED));
  }

  private List<ConnectionEvent> events() {
    return listener.connection.stream().map(TransportListener.ConnectionChange::event).toList();
  }

  @Test
  void queueDepthRisesWhileAHandlerBlocksAndFallsAfter() throws Exception {
    Connection connection = connect();
    NatsBaton nats = baton(connection, "slowpoke");
    String subject = unique("depth.");
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    nats.subscriber()
        .subscribe(
            subject,
            m -> {
              release.await(20, TimeUnit.SECONDS);
              handled.incrementAndGet();
            });
    flush(connection);
    for (int i = 0; i < 10; i++) {
      nats.publisher().publish(subject, new byte[] {(byte) i, 0, 0});
    }
    flush(connection);

    Await.until(
        "nine messages waiting behind the blocked one",
        () -> {
          nats.probe();
          return lastDepth().messages() == 9;
        });
    assertThat(lastDepth().bytes()).as("whole messages, headers included").isGreaterThan(27);
    assertThat(lastDepth().destination()).isEqualTo(subject);
    release.countDown();
    Await.until("all handled", () -> handled.get() == 10);
    nats.probe();

    assertThat(lastDepth().messages()).isZero();
    assertThat(lastDepth().bytes()).isZero();
  }

  private TransportListener.QueueDepth lastDepth() {
    return listener.queueDepth.isEmpty()
        ? new TransportListener.QueueDepth("nats", "", "", -1, -1)
        : listener.queueDepth.get(listener.queueDepth.size() - 1);
  }

  @Test
  void aSlowConsumerThatDropsMessagesIsReported() throws Exception {
    Connection connection =
        connect(Options.builder().server(NATS.url()).errorListener(NatsErrorListener.create()));
    NatsBaton nats =
        NatsBaton.builder(
                Baton.builder(OTEL.getOpenTelemetry())
                    .setAgentName("slow")
                    .addListener(listener)
                    .build(),
                connection)
            .setBacklogInterval(Duration.ZERO)
            .setPendingLimits(5, 0)
            .build();
    toClose.add(nats);
    String subject = unique("flood.");
    CountDownLatch release = new CountDownLatch(1);
    nats.subscriber().subscribe(subject, m -> release.await(20, TimeUnit.SECONDS));
    flush(connection);
    Connection producer = connect();

    for (int i = 0; i < 50; i++) {
      producer.publish(subject, new byte[] {(byte) i});
    }
    flush(producer);
    Await.until(
        "the client reported a slow consumer",
        () -> events().contains(ConnectionEvent.SLOW_CONSUMER));
    nats.probe();
    release.countDown();

    List<TransportListener.ConnectionChange> slow =
        listener.connection.stream()
            .filter(c -> c.event() == ConnectionEvent.SLOW_CONSUMER)
            .toList();
    assertThat(slow).anySatisfy(c -> assertThat(c.detail()).contains("dropped"));
  }

  @Test
  void closingAJetStreamSubscriptionFinishesAndAcksWhatItAlreadyHolds() throws Exception {
    Connection connection = connect();
    String stream = unique("DRAIN");
    createStream(connection, stream);
    NatsBaton nats = baton(connection, "worker");
    for (int i = 0; i < 30; i++) {
      nats.jetStreamPublisher()
          .publish(OutboundMessage.of(stream + ".jobs", "job-" + i))
          .get(10, TimeUnit.SECONDS);
    }
    Set<String> handled = ConcurrentHashMap.newKeySet();
    Subscription subscription =
        nats.jetStreamSubscriber(stream)
            .subscribe(
                stream + ".jobs",
                "drainers",
                m -> {
                  Thread.sleep(5); // simulated work
                  handled.add(m.payloadAsString());
                });
    Await.until("work under way", () -> handled.size() >= 3);

    boolean drained = subscription.drain(Duration.ofSeconds(10));

    assertThat(drained).isTrue();
    int atClose = handled.size();
    Await.until("every ack settled", () -> consumerIdle(connection, stream, "drainers"));
    var info = connection.jetStreamManagement().getConsumerInfo(stream, "drainers");
    assertThat(info.getAckFloor().getStreamSequence()).isEqualTo(atClose);
    assertThat(handled).hasSize(atClose);
    assertThat(atClose).as("what the client had pulled was finished, not dropped").isEqualTo(30);
  }
}
