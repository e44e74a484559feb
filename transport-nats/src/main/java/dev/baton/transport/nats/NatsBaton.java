package dev.baton.transport.nats;

import dev.baton.propagation.Baton;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.ProbeSchedule;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.Publisher;
import dev.baton.transport.Responder;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener.ConnectionState;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.MessageConsumer;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Baton over NATS: traced publishers and subscribers on a jnats {@link Connection} the caller built
 * and owns (any options: TLS, credentials, a server list).
 *
 * <pre>{@code
 * NatsBaton nats = NatsBaton.create(connection, baton);
 * nats.subscriber().subscribe("tasks.review", "reviewers", msg -> review(msg.payloadAsString()));
 * nats.publisher().publish("tasks.review", draft.getBytes(UTF_8));
 * }</pre>
 *
 * <p>Every send starts a PRODUCER span and writes W3C trace context, baggage and Baton's headers;
 * every delivery runs its handler inside a CONSUMER span that continues the sender's trace. Core
 * NATS, queue groups, request/reply and JetStream (publish acknowledged by the stream, consume with
 * ack on return and nak on exception) share one engine. Connection events go to the {@link Baton}'s
 * listeners; for slow-consumer and error events also install a {@link NatsErrorListener} in the
 * connection's options.
 *
 * <p>Thread-safe. The caller owns this object and closes it: {@link #close()} drains every
 * subscription made through it and stops its backlog probe, but leaves the connection open.
 */
public final class NatsBaton implements AutoCloseable {

  private final Connection connection;
  private final MessagingEngine<Headers> engine;
  private final NatsSender sender;
  private final Duration drainTimeout;
  private final long pendingMessages;
  private final long pendingBytes;
  private final Set<NatsSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final ConnectionListener connectionListener;
  private final @Nullable NatsErrorListener errorListener;
  private final ProbeSchedule probe;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Publisher publisher;
  private final Subscriber subscriber;
  private final java.util.concurrent.atomic.AtomicReference<Publisher> jetStreamPublisher =
      new java.util.concurrent.atomic.AtomicReference<>();

  private NatsBaton(Builder builder) {
    this.connection = builder.connection;
    this.engine = MessagingEngine.create(builder.baton, new NatsWire(connection));
    this.sender = new NatsSender(connection, engine);
    this.drainTimeout = builder.drainTimeout;
    this.pendingMessages = builder.pendingMessages;
    this.pendingBytes = builder.pendingBytes;
    this.connectionListener = this::onConnectionEvent;
    connection.addConnectionListener(connectionListener);
    ErrorListener installed = connection.getOptions().getErrorListener();
    this.errorListener = installed instanceof NatsErrorListener l ? l : null;
    if (errorListener != null) {
      errorListener.register(engine);
    }
    if (connection.getStatus() == Connection.Status.CONNECTED) {
      // The CONNECTED event came before Baton was there: say where things stand.
      engine.connectionEvent(ConnectionState.CONNECTED, "connected when Baton started");
    }
    this.probe = ProbeSchedule.start("baton-nats-backlog", builder.backlogInterval, this::probeAll);
    this.publisher = new CorePublisher();
    this.subscriber = new CoreSubscriber();
  }

  /** Baton over {@code connection} with default settings. */
  public static NatsBaton create(Connection connection, Baton baton) {
    return builder(connection, baton).build();
  }

  /** A builder for Baton over {@code connection}. */
  public static Builder builder(Connection connection, Baton baton) {
    return new Builder(
        Objects.requireNonNull(connection, "connection"), Objects.requireNonNull(baton, "baton"));
  }

  /** Core NATS publishing and request/reply. Publishes complete once the client has the message. */
  public Publisher publisher() {
    return publisher;
  }

  /** Core NATS subscriptions; a group is a NATS queue group. */
  public Subscriber subscriber() {
    return subscriber;
  }

  /**
   * JetStream publishing: the future completes on the stream's PubAck (its span ends then), or
   * exceptionally when the publish fails. The message id goes out as {@code Nats-Msg-Id}, so a
   * retried publish of the same message is deduplicated ({@link PublishReceipt#duplicate()}).
   * Requests go over core NATS.
   */
  public Publisher jetStreamPublisher() {
    Publisher existing = jetStreamPublisher.get();
    if (existing != null) {
      return existing;
    }
    jetStreamPublisher.compareAndSet(null, newJetStreamPublisher(jetStream()));
    return jetStreamPublisher.get();
  }

  private Publisher newJetStreamPublisher(JetStream js) {
    return new Publisher() {
      @Override
      public CompletableFuture<PublishReceipt> publish(OutboundMessage message) {
        return sender.publishJetStream(js, message);
      }

      @Override
      public CompletableFuture<Message> request(OutboundMessage message, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return sender.request(message, timeout);
      }
    };
  }

  /**
   * JetStream consumption from {@code stream}. {@code subscribe(subject, group, handler)} creates
   * (or updates) a durable consumer named {@code group} filtered on {@code subject}, or an
   * ephemeral one when the group is {@code null}, with explicit acks: a handler that returns acks
   * the message, one that throws naks it for redelivery ({@link Message#deliveryCount()} tells the
   * attempt). {@code respond} is not available on JetStream.
   */
  public Subscriber jetStreamSubscriber(String stream) {
    Objects.requireNonNull(stream, "stream");
    return new Subscriber() {
      @Override
      public Subscription subscribe(
          String destination, @Nullable String group, MessageHandler handler) {
        checkOpen();
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(handler, "handler");
        ConsumerConfiguration.Builder config =
            ConsumerConfiguration.builder()
                .filterSubject(destination)
                .ackPolicy(AckPolicy.Explicit);
        if (group != null) {
          config.durable(group);
        }
        ConsumerContext consumerContext;
        try {
          StreamContext streamContext = connection.getStreamContext(stream);
          consumerContext = streamContext.createOrUpdateConsumer(config.build());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (io.nats.client.JetStreamApiException e) {
          throw new IllegalStateException(
              "JetStream refused a consumer on stream '" + stream + "': " + e.getMessage(), e);
        }
        String name = group == null ? "" : group;
        Dispatcher dispatcher = newDispatcher();
        MessageConsumer consumer;
        try {
          consumer =
              consumerContext.consume(
                  dispatcher, NatsReceiver.handler(sender, name, true, handler));
        } catch (IOException e) {
          connection.closeDispatcher(dispatcher);
          throw new UncheckedIOException(e);
        } catch (io.nats.client.JetStreamApiException e) {
          connection.closeDispatcher(dispatcher);
          throw new IllegalStateException(e.getMessage(), e);
        }
        JetStreamLag lag;
        try {
          lag =
              new JetStreamLag(
                  connection.jetStreamManagement(), consumerContext, stream, destination);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return track(
            new NatsSubscription(
                connection,
                engine,
                dispatcher,
                destination,
                name,
                consumer,
                lag,
                subscriptions::remove));
      }

      @Override
      public Subscription respond(String destination, @Nullable String group, Responder responder) {
        throw new UnsupportedOperationException(
            "request/reply runs over core NATS: use subscriber().respond(...)");
      }
    };
  }

  /**
   * Drains every subscription made through this object (waiting up to the drain timeout for each),
   * stops the backlog probe and detaches from the connection. The connection stays open: it is the
   * caller's. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (NatsSubscription subscription : Set.copyOf(subscriptions)) {
      subscription.drain(drainTimeout);
    }
    probe.close();
    connection.removeConnectionListener(connectionListener);
    if (errorListener != null) {
      errorListener.unregister(engine);
    }
  }

  /**
   * Measures every subscription's queue depth and JetStream lag now (the probe does this on its
   * schedule, off the message path).
   */
  void probeAll() {
    for (NatsSubscription subscription : subscriptions) {
      subscription.probe();
    }
  }

  private JetStream jetStream() {
    try {
      return connection.jetStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each subscription gets its own dispatcher: its own thread, pending limits and counts. */
  private Dispatcher newDispatcher() {
    Dispatcher dispatcher = connection.createDispatcher();
    if (pendingMessages >= 0) {
      dispatcher.setPendingLimits(pendingMessages, pendingBytes);
    }
    return dispatcher;
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this NatsBaton is closed");
    }
  }

  private NatsSubscription track(NatsSubscription subscription) {
    subscriptions.add(subscription);
    engine.subscriptionChange(
        subscription.destination(),
        subscription.group(),
        dev.baton.transport.TransportListener.SubscriptionState.STARTED);
    return subscription;
  }

  private void onConnectionEvent(Connection conn, ConnectionListener.Events event) {
    ConnectionState state =
        switch (event) {
          case CONNECTED -> ConnectionState.CONNECTED;
          case DISCONNECTED -> ConnectionState.DISCONNECTED;
          case RECONNECTED -> ConnectionState.RECONNECTED;
          case CLOSED -> ConnectionState.CLOSED;
          default -> null;
        };
    if (state != null) {
      engine.connectionEvent(state, event.getEvent());
    }
  }

  private final class CorePublisher implements Publisher {
    @Override
    public void publish(String destination, byte[] payload) {
      sender.publishCore(OutboundMessage.of(destination, payload));
    }

    @Override
    public CompletableFuture<PublishReceipt> publish(OutboundMessage message) {
      String id = sender.publishCore(message).id();
      return CompletableFuture.completedFuture(
          new PublishReceipt(message.destination(), id, null, -1, false));
    }

    @Override
    public CompletableFuture<Message> request(OutboundMessage message, Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      return sender.request(message, timeout);
    }
  }

  private final class CoreSubscriber implements Subscriber {
    @Override
    public Subscription subscribe(
        String destination, @Nullable String group, MessageHandler handler) {
      checkOpen();
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(handler, "handler");
      String name = group == null ? "" : group;
      Dispatcher dispatcher = newDispatcher();
      io.nats.client.MessageHandler natsHandler =
          NatsReceiver.handler(sender, name, false, handler);
      try {
        if (group == null) {
          dispatcher.subscribe(destination, natsHandler);
        } else {
          dispatcher.subscribe(destination, group, natsHandler);
        }
      } catch (RuntimeException e) {
        connection.closeDispatcher(dispatcher);
        throw e;
      }
      return track(
          new NatsSubscription(
              connection,
              engine,
              dispatcher,
              destination,
              name,
              null,
              null,
              subscriptions::remove));
    }

    @Override
    public Subscription respond(String destination, @Nullable String group, Responder responder) {
      Objects.requireNonNull(responder, "responder");
      return subscribe(destination, group, MessagingEngine.respondWith(responder, sender::reply));
    }
  }

  /** Builds a {@link NatsBaton}. Not thread-safe. */
  public static final class Builder {
    private final Connection connection;
    private final Baton baton;
    private Duration drainTimeout = NatsSubscription.DEFAULT_DRAIN;
    private Duration backlogInterval = Duration.ofSeconds(10);
    private long pendingMessages = -1;
    private long pendingBytes = -1;

    Builder(Connection connection, Baton baton) {
      this.connection = connection;
      this.baton = baton;
    }

    /** How long {@link NatsBaton#close()} waits for each subscription to drain. Default 10 s. */
    public Builder setDrainTimeout(Duration drainTimeout) {
      this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
      return this;
    }

    /**
     * How often the backlog probe measures pending messages (and JetStream consumer lag) off the
     * message path; {@link Duration#ZERO} turns it off. Default 10 s.
     */
    public Builder setBacklogInterval(Duration backlogInterval) {
      this.backlogInterval = Objects.requireNonNull(backlogInterval, "backlogInterval");
      return this;
    }

    /**
     * How many messages and bytes each subscription may hold in this process before the client
     * drops messages (a slow consumer, reported to the listeners); 0 means no limit. Without this
     * call jnats' defaults apply (524,288 messages, 64 MiB).
     */
    public Builder setPendingLimits(long maxMessages, long maxBytes) {
      if (maxMessages < 0 || maxBytes < 0) {
        throw new IllegalArgumentException(
            "pending limits must be 0 (none) or positive, were " + maxMessages + ", " + maxBytes);
      }
      this.pendingMessages = maxMessages;
      this.pendingBytes = maxBytes;
      return this;
    }

    /** Builds it; throws {@link IllegalArgumentException} on a bad setting. */
    public NatsBaton build() {
      if (drainTimeout.isNegative() || drainTimeout.isZero()) {
        throw new IllegalArgumentException("drainTimeout must be positive, was " + drainTimeout);
      }
      if (backlogInterval.isNegative()) {
        throw new IllegalArgumentException(
            "backlogInterval must be zero (off) or positive, was " + backlogInterval);
      }
      if (connection.getStatus() == Connection.Status.CLOSED) {
        throw new IllegalArgumentException("the connection is closed");
      }
      return new NatsBaton(this);
    }
  }
}
