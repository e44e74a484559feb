/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.Baton;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.TransportBase;
import dev.baton.propagation.spi.TransportPublisher;
import dev.baton.propagation.spi.TransportSubscriber;
import dev.baton.propagation.spi.probe.DeniedCalls;
import dev.baton.transport.Message;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Baton over NATS: traced publishers and subscribers on a jnats {@link Connection} the caller built
 * and owns (any options: TLS, credentials, a server list).
 *
 * <pre>{@code
 * NatsBaton nats = NatsBaton.create(baton, connection);
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
public final class NatsBaton extends TransportBase {

  private static final String REPLIES_ON_CORE =
      "request/reply runs over core NATS: use subscriber().respond(...)";

  private final Connection connection;
  private final MessagingEngine<Headers> engine;
  private final NatsSender sender;
  private final long pendingMessages;
  private final long pendingBytes;
  private final ConnectionWatch connectionWatch;
  private final DeniedCalls denied;
  private final int maxDeliveries;
  private final @Nullable Duration ackWait;
  private final AtomicReference<Publisher> jetStreamPublisher = new AtomicReference<>();
  private final Subscriber durableSubscriber;

  private NatsBaton(Builder builder) {
    super("NatsBaton", builder.baton, builder);
    this.connection = builder.connection;
    this.engine = MessagingEngine.create(builder.baton, new NatsWire(connection));
    this.sender = new NatsSender(connection, engine);
    this.denied = new DeniedCalls(engine.events(), DeniedCalls.retryAfter(backlogInterval()));
    this.pendingMessages = builder.pendingMessages;
    this.pendingBytes = builder.pendingBytes;
    this.maxDeliveries = builder.maxDeliveries;
    this.ackWait = builder.ackWait;
    this.connectionWatch =
        new ConnectionWatch(connection, engine, builder.stallTimeout, this::subscriptions);
    open(
        TransportPublisher.create(
            this, sender::publishCore, this::publishCoreWithReceipt, sender::request),
        TransportSubscriber.create(this, this::subscribeCore, engine, sender::reply),
        "baton-nats-backlog");
    String stream = builder.stream;
    this.durableSubscriber =
        stream != null
            ? jetStreamSubscriber(stream)
            : TransportSubscriber.withoutReplies(
                this,
                (destination, group, handler) ->
                    jetStreamConsumers(streamFor(destination)).open(destination, group, handler),
                REPLIES_ON_CORE);
  }

  /**
   * {@return Baton over {@code connection} with default settings}
   *
   * @param baton the agent's Baton
   * @param connection the agent's NATS connection; the caller closes it
   */
  public static NatsBaton create(Baton baton, Connection connection) {
    return builder(baton, connection).build();
  }

  /**
   * {@return a builder for Baton over {@code connection}}
   *
   * @param baton the agent's Baton
   * @param connection the agent's NATS connection; the caller closes it
   */
  public static Builder builder(Baton baton, Connection connection) {
    return new Builder(
        Objects.requireNonNull(connection, "connection"), Objects.requireNonNull(baton, "baton"));
  }

  /**
   * {@return JetStream publishing: the future completes on the stream's PubAck (its span ends
   * then), or exceptionally when the publish fails} The message id goes out as {@code Nats-Msg-Id},
   * so a retried publish of the same message is deduplicated ({@link PublishReceipt#duplicate()}).
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
    return TransportPublisher.create(
        this,
        message -> sender.publishJetStream(js, message),
        message -> sender.publishJetStream(js, message),
        sender::request);
  }

  /**
   * {@return JetStream consumption from {@code stream}} {@code subscribe(subject, group, handler)}
   * creates (or updates) a durable consumer named {@code group} filtered on {@code subject}, or an
   * ephemeral one when the group is {@code null}, with explicit acks: a handler that returns acks
   * the message, one that throws naks it for redelivery ({@link Message#deliveryCount()} tells the
   * attempt), and on its last allowed delivery ({@link Builder#setMaxDeliveries}) terminates it:
   * the outcome is {@code DEAD_LETTERED}, and the message does not loop. {@code respond} is not
   * available on JetStream.
   *
   * @param stream the stream's name
   */
  public Subscriber jetStreamSubscriber(String stream) {
    Objects.requireNonNull(stream, "stream");
    return TransportSubscriber.withoutReplies(
        this, jetStreamConsumers(stream)::open, REPLIES_ON_CORE);
  }

  /** {@link #jetStreamPublisher()}. */
  @Override
  public Publisher durablePublisher() {
    return jetStreamPublisher();
  }

  /**
   * {@link #jetStreamSubscriber(String)} on the builder's stream ({@link Builder#setStream}), or
   * else on the stream that stores each subscription's subject, looked up when it subscribes.
   * Subscribing then throws {@link IllegalArgumentException} when no stream, or more than one,
   * stores the subject: name the stream.
   */
  @Override
  public Subscriber durableSubscriber() {
    return durableSubscriber;
  }

  private JetStreamConsumers jetStreamConsumers(String stream) {
    return new JetStreamConsumers(
        connection,
        sender,
        stream,
        new JetStreamConsumers.Delivery(maxDeliveries, ackWait),
        this::newDispatcher,
        this::started,
        denied);
  }

  /** The one stream whose subjects store {@code subject}. */
  private String streamFor(String subject) {
    List<String> streams;
    try {
      streams = connection.jetStreamManagement().getStreamNames(subject);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not ask JetStream which stream stores '" + subject + "'", e);
    } catch (JetStreamApiException e) {
      throw new IllegalStateException(
          "JetStream refused to say which stream stores '" + subject + "': " + e.getMessage(), e);
    }
    if (streams.size() == 1) {
      return streams.get(0);
    }
    throw new IllegalArgumentException(
        streams.isEmpty()
            ? "no JetStream stream stores '"
                + subject
                + "': add its subject to a stream, or name the stream with jetStreamSubscriber(stream)"
            : "JetStream streams "
                + streams
                + " all store '"
                + subject
                + "': name one with jetStreamSubscriber(stream)");
  }

  /** Detaches from the connection; the subscriptions are drained and the probe stopped. */
  @Override
  protected void closeTransport() {
    connectionWatch.close();
  }

  /**
   * Measures every subscription's queue depth and JetStream lag now (the probe does this on its
   * schedule, off the message path).
   */
  @Override
  protected void probe() {
    for (Subscription subscription : subscriptions()) {
      ((NatsSubscription) subscription).probe();
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

  /** A subscription on {@code dispatcher}, tracked and announced to the listeners. */
  private NatsSubscription started(
      Dispatcher dispatcher,
      String destination,
      String group,
      @Nullable JetStreamConsumption consumer,
      @Nullable JetStreamLag lag,
      @Nullable UnreadableMessages unreadable) {
    NatsSubscription subscription =
        track(
            new NatsSubscription(
                connection,
                engine,
                dispatcher,
                destination,
                group,
                consumer,
                lag,
                unreadable,
                this::untrack));
    engine
        .events()
        .subscriptionChange(destination, group, TransportListener.SubscriptionState.STARTED);
    return subscription;
  }

  /** A core publish completes at once: the client has the message. */
  private CompletableFuture<PublishReceipt> publishCoreWithReceipt(OutboundMessage message) {
    String id = sender.publishCore(message).id();
    return CompletableFuture.completedFuture(
        new PublishReceipt(message.destination(), id, null, -1, false));
  }

  /** A core NATS subscription on a dispatcher of its own; a group is a queue group. */
  private Subscription subscribeCore(
      String destination, @Nullable String group, MessageHandler handler) {
    String name = group == null ? "" : group;
    Dispatcher dispatcher = newDispatcher();
    io.nats.client.MessageHandler natsHandler =
        NatsReceiver.handler(sender, destination, name, handler);
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
    return started(dispatcher, destination, name, null, null, null);
  }

  /** Builds a {@link NatsBaton}. Not thread-safe. */
  public static final class Builder extends TransportBase.Builder<Builder> {
    private final Connection connection;
    private final Baton baton;
    private long pendingMessages = -1;
    private long pendingBytes = -1;
    private Duration stallTimeout = Duration.ofSeconds(1);
    private int maxDeliveries = 5;
    private @Nullable Duration ackWait;
    private @Nullable String stream;

    Builder(Connection connection, Baton baton) {
      this.connection = connection;
      this.baton = baton;
    }

    /**
     * How many messages and bytes each subscription may hold in this process before the client
     * drops messages (a slow consumer, reported to the listeners); 0 means no limit. Without this
     * call jnats' defaults apply (524,288 messages, 64 MiB).
     *
     * @param maxMessages the most messages a subscription holds
     * @param maxBytes the most bytes a subscription holds
     * @return this builder
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

    /**
     * How long a PING may wait for its PONG before a connection that says CONNECTED but read
     * nothing meanwhile counts as stalled and is reconnected (see {@code ConnectionEvent.STALLED}).
     * Checked every quarter of it: a connection that read anything since is alive; one that read
     * nothing gets one PING (one at a time per connection), so a link whose round trip stays under
     * the timeout is never taken for stalled. Default 1 s: a stalled connection is noticed within
     * about 1.5 s. {@link Duration#ZERO} turns the check off.
     *
     * @param stallTimeout the longest a PING waits for its PONG
     * @return this builder
     */
    public Builder setStallTimeout(Duration stallTimeout) {
      Objects.requireNonNull(stallTimeout, "stallTimeout");
      if (stallTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "the stall timeout must not be negative: " + stallTimeout);
      }
      this.stallTimeout = stallTimeout;
      return this;
    }

    /**
     * How many times a JetStream consumer Baton creates delivers one message before giving up on it
     * (its {@code max_deliver}); default 5, 0 for no limit. The last failed delivery is terminated,
     * so a message whose handler always fails never loops.
     *
     * @param maxDeliveries the most deliveries of one message, 0 for no limit
     * @return this builder
     */
    public Builder setMaxDeliveries(int maxDeliveries) {
      if (maxDeliveries < 0) {
        throw new IllegalArgumentException(
            "max deliveries must be 0 (no limit) or more: " + maxDeliveries);
      }
      this.maxDeliveries = maxDeliveries;
      return this;
    }

    /**
     * How long a JetStream consumer Baton creates waits for an acknowledgement before it redelivers
     * (its {@code ack_wait}); the server's default (30 s) unless set.
     *
     * @param ackWait the wait for an acknowledgement
     * @return this builder
     */
    public Builder setAckWait(Duration ackWait) {
      Objects.requireNonNull(ackWait, "ackWait");
      if (ackWait.isNegative() || ackWait.isZero()) {
        throw new IllegalArgumentException("the ack wait must be positive: " + ackWait);
      }
      this.ackWait = ackWait;
      return this;
    }

    /**
     * The JetStream stream {@link NatsBaton#durableSubscriber()} consumes from. Without it, each
     * durable subscription asks JetStream which stream stores its subject, which a locked-down
     * account must be allowed to ask ({@code $JS.API.STREAM.NAMES}); naming the stream needs no
     * such permission.
     *
     * @param stream the stream's name
     * @return this builder
     */
    public Builder setStream(String stream) {
      Objects.requireNonNull(stream, "stream");
      if (stream.isBlank()) {
        throw new IllegalArgumentException("the stream name is blank");
      }
      this.stream = stream;
      return this;
    }

    /**
     * Builds it; throws {@link IllegalArgumentException} on a bad setting.
     *
     * @return Baton over NATS; close it to close its subscriptions
     */
    public NatsBaton build() {
      checkSettings();
      if (connection.getStatus() == Connection.Status.CLOSED) {
        throw new IllegalArgumentException("the connection is closed");
      }
      return new NatsBaton(this);
    }
  }
}
