/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.Baton;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.TransportBase;
import dev.baton.propagation.spi.TransportPublisher;
import dev.baton.propagation.spi.TransportSubscriber;
import dev.baton.propagation.spi.probe.DeniedCalls;
import dev.baton.transport.MessageHandler;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.internal.DestinationPattern;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Baton over Kafka: traced publishers and subscribers built from the caller's own client
 * configuration (bootstrap servers, TLS, SASL: whatever their clients need).
 *
 * <pre>{@code
 * KafkaBaton kafka = KafkaBaton.builder(baton, Map.of("bootstrap.servers", "localhost:9092"))
 *     .setFailurePolicy(FailurePolicy.retry(3, ofMillis(100), ofSeconds(2)).thenDeadLetter("tasks.dlq"))
 *     .build();
 * kafka.subscriber().subscribe("tasks", "workers", msg -> work(msg.payloadAsString()));
 * kafka.publisher().publish(OutboundMessage.of("tasks", "write chapter 2").withKey("book-7"));
 * }</pre>
 *
 * <p>Publishing: the PRODUCER span ends when the broker acknowledges the record (partition and
 * offset on the span), with an error on failure; a producer the caller brings ({@link
 * Builder#setProducer}), such as one wrapped by OpenTelemetry's Kafka instrumentation, is used as
 * is, and the record still carries one {@code traceparent}. Subscribing: Baton owns the poll loop
 * (one consumer and one thread per subscription), makes a {@code process {topic}} span per record
 * around the handler call (and, with {@link Builder#setPollSpans}, a {@code poll {topic}} span per
 * non-empty poll linked to every record's producer); offsets are committed only after the handler
 * returned; a handler exception follows the {@link FailurePolicy}. Request/reply uses a reply topic
 * per agent.
 *
 * <p>Many agents in one process: the producer Baton creates is shared by every {@code KafkaBaton}
 * built from the same producer settings (one I/O thread and one set of connections for the process;
 * a transactional producer is never shared), and the backlog probes of all agents run on two shared
 * threads. What grows with agents is a consumer and its thread per subscription.
 *
 * <p>Thread-safe. The caller owns this object and closes it: {@link #close()} drains every
 * subscription, stops the reply listener and lets go of the producer Baton created (the last agent
 * sharing it closes it; never one the caller brought).
 */
public final class KafkaBaton extends TransportBase {

  private final MessagingEngine<Headers> engine;
  private final Map<String, Object> consumerConfig;
  private final Map<String, Object> adminConfig;
  private final Producer<String, byte[]> producer;
  private final boolean ownsProducer;
  private final SharedProducers.@Nullable Lease producerLease;
  private final KafkaSender sender;
  private final FailurePolicy failurePolicy;
  private final Duration pollTimeout;
  private final boolean pollSpans;
  private final boolean recordKeys;
  private final ReplyListener replies;
  private final KafkaLagProbe lagProbe;

  private KafkaBaton(Builder b) {
    super("KafkaBaton", b.baton, b);
    this.engine = MessagingEngine.create(b.baton, KafkaWire.INSTANCE);
    this.consumerConfig = merge(b.config, b.consumerConfig);
    this.adminConfig = adminOnly(b.config);
    this.ownsProducer = b.producer == null;
    // Baton's own producer is the process's for these settings: agents built alike share it.
    this.producerLease =
        b.producer == null ? SharedProducers.acquire(merge(b.config, b.producerConfig)) : null;
    this.producer = producerLease != null ? producerLease.producer() : b.producer;
    this.recordKeys = b.recordKeys;
    this.sender = new KafkaSender(producer, engine, recordKeys, !ownsProducer);
    this.failurePolicy = b.failurePolicy;
    this.pollTimeout = b.pollTimeout;
    this.pollSpans = b.pollSpans;
    String replyTopic =
        b.replyTopic != null
            ? b.replyTopic
            : KafkaSender.DEFAULT_REPLY_PREFIX
                + b.baton.agentId().replaceAll("[^a-zA-Z0-9._-]", "_");
    this.lagProbe =
        new KafkaLagProbe(
            engine,
            () -> Admin.create(adminConfig),
            () -> newProbeConsumer(),
            Duration.ofSeconds(5),
            new DeniedCalls(engine.events(), DeniedCalls.retryAfter(backlogInterval())));
    this.replies =
        new ReplyListener(
            replyTopic,
            engine,
            () -> newConsumer(null, "latest", null),
            () -> Admin.create(adminConfig),
            pollTimeout);
    open(
        TransportPublisher.create(
            this,
            sender::publishAndForget,
            sender::publish,
            (message, timeout) -> sender.request(message, timeout, replies)),
        TransportSubscriber.create(this, this::subscribeKafka, engine, sender::reply),
        "baton-kafka-probe");
  }

  /**
   * {@return Baton over Kafka with default settings; {@code config} as for {@link #builder(Baton,
   * Map)}}
   *
   * @param baton the agent's Baton
   * @param config the client configuration
   */
  public static KafkaBaton create(Baton baton, Map<String, ?> config) {
    return builder(baton, config).build();
  }

  /**
   * {@return a builder for Baton over Kafka} {@code config} is the caller's client configuration
   * shared by the producer, the consumers and the admin client Baton creates ({@code
   * bootstrap.servers}, {@code security.protocol}, {@code sasl.*}, {@code ssl.*}, ...); Baton never
   * logs it.
   *
   * @param baton the agent's Baton
   * @param config the client configuration
   */
  public static Builder builder(Baton baton, Map<String, ?> config) {
    return new Builder(
        Objects.requireNonNull(baton, "baton"), Objects.requireNonNull(config, "config"));
  }

  /** {@link #publisher()}: every Kafka topic stores its records. */
  @Override
  public Publisher durablePublisher() {
    return publisher();
  }

  /**
   * {@link #subscriber()}: offsets are committed after the handler returned, and a handler that
   * throws follows the {@link FailurePolicy}.
   */
  @Override
  public Subscriber durableSubscriber() {
    return subscriber();
  }

  /** {@return the topic this agent reads replies to its requests from} */
  public String replyTopic() {
    return replies.topic();
  }

  /**
   * Stops the reply listener and lets go of the producer Baton created (the last agent sharing it
   * closes it, the others flush it; a caller's producer is flushed), after every subscription
   * finished the record in hand and committed.
   */
  @Override
  protected void closeTransport() {
    replies.close();
    lagProbe.close();
    if (producerLease != null) {
      producerLease.release(drainTimeout());
    } else {
      producer.flush();
    }
  }

  /**
   * A consumer from the caller's configuration with Baton's own settings: {@code group.id} (none
   * for the reply listener, which assigns partitions itself), no auto-commit, and where a new group
   * starts reading unless the caller said otherwise.
   */
  /**
   * How long the group waits between a consumer's polls before it hands the consumer's partitions
   * to another ({@code max.poll.interval.ms}, Kafka's default 5 minutes).
   */
  private long maxPollIntervalNanos() {
    Object configured = consumerConfig.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
    long millis = 300_000;
    if (configured instanceof Number number) {
      millis = number.longValue();
    } else if (configured != null) {
      try {
        millis = Long.parseLong(configured.toString().trim());
      } catch (NumberFormatException e) {
        // the consumer refuses the setting itself, with Kafka's own message
      }
    }
    return TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis));
  }

  /** How often a wildcard subscription's consumer looks for new matching topics, by default. */
  private static final Duration WILDCARD_METADATA_AGE = Duration.ofSeconds(3);

  private Consumer<String, byte[]> newConsumer(
      @Nullable String groupId, String offsetReset, @Nullable Duration metadataAge) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    if (metadataAge != null) {
      config.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) metadataAge.toMillis());
    }
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
    if (groupId != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    } else {
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }
    return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Measures every subscription's lag, lag in seconds and queue depth now (the probe does this on
   * its schedule, off the message path).
   */
  @Override
  protected void probe() {
    Set<KafkaSubscription> open = new HashSet<>();
    for (Subscription subscription : subscriptions()) {
      open.add((KafkaSubscription) subscription);
    }
    lagProbe.probe(open);
  }

  /** The probe's reader: no group, one record per poll, small fetches. */
  private Consumer<String, byte[]> newProbeConsumer() {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
    return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static Map<String, Object> merge(Map<String, ?> base, Map<String, ?> extra) {
    Map<String, Object> merged = new HashMap<>(base);
    merged.putAll(extra);
    return merged;
  }

  private static Map<String, Object> adminOnly(Map<String, ?> config) {
    Set<String> known = AdminClientConfig.configNames();
    Map<String, Object> admin = new HashMap<>();
    config.forEach(
        (k, v) -> {
          if (known.contains(k)) {
            admin.put(k, v);
          }
        });
    return admin;
  }

  /** A subscription with its own consumer and poll thread; a group is a consumer group. */
  private Subscription subscribeKafka(
      String destination, @Nullable String group, MessageHandler handler) {
    if (KafkaSubscription.wildcard(destination)) {
      DestinationPattern.parse(destination); // says what is wrong with a malformed pattern
    }
    String groupId =
        group != null ? group : "baton-" + engine.baton().agentName() + "-" + UUID.randomUUID();
    // A wildcard subscription reads new matching topics at the consumer's metadata refresh:
    // Kafka's default of 5 minutes would look like lost messages, so every few seconds unless the
    // consumer configuration says otherwise.
    Consumer<String, byte[]> consumer =
        newConsumer(
            groupId,
            group != null ? "earliest" : "latest",
            KafkaSubscription.wildcard(destination) ? WILDCARD_METADATA_AGE : null);
    KafkaSubscription subscription =
        new KafkaSubscription(
            consumer,
            sender,
            destination,
            group == null ? "" : group,
            handler,
            failurePolicy,
            pollTimeout,
            groupId,
            recordKeys,
            pollSpans,
            maxPollIntervalNanos(),
            this::untrack);
    track(subscription);
    subscription.start();
    return subscription;
  }

  /** Builds a {@link KafkaBaton}. Not thread-safe; {@link #build()} checks the configuration. */
  public static final class Builder extends TransportBase.Builder<Builder> {
    private final Baton baton;
    private final Map<String, Object> config;
    private final Map<String, Object> producerConfig = new HashMap<>();
    private final Map<String, Object> consumerConfig = new HashMap<>();
    private @Nullable Producer<String, byte[]> producer;
    private FailurePolicy failurePolicy = FailurePolicy.defaults();
    private Duration pollTimeout = Duration.ofMillis(500);
    private boolean pollSpans;
    private @Nullable String replyTopic;
    private boolean recordKeys;

    Builder(Baton baton, Map<String, ?> config) {
      this.baton = baton;
      this.config = new HashMap<>(config);
    }

    /**
     * Settings only the producer gets, over the shared configuration.
     *
     * @param producerConfig the producer's own settings
     * @return this builder
     */
    public Builder setProducerConfig(Map<String, ?> producerConfig) {
      this.producerConfig.putAll(Objects.requireNonNull(producerConfig, "producerConfig"));
      return this;
    }

    /**
     * Settings only the consumers get, over the shared configuration. Baton sets {@code group.id}
     * per subscription and commits itself ({@code enable.auto.commit} must not be true).
     *
     * @param consumerConfig the consumers' own settings
     * @return this builder
     */
    public Builder setConsumerConfig(Map<String, ?> consumerConfig) {
      this.consumerConfig.putAll(Objects.requireNonNull(consumerConfig, "consumerConfig"));
      return this;
    }

    /**
     * Publishes through the caller's producer (its serializers must take a String key and a byte
     * array value), for example one wrapped by {@code KafkaTelemetry}. The caller keeps owning it:
     * {@link KafkaBaton#close()} flushes but does not close it.
     *
     * @param producer the producer to publish through; the caller closes it
     * @return this builder
     */
    public Builder setProducer(Producer<String, byte[]> producer) {
      this.producer = Objects.requireNonNull(producer, "producer");
      return this;
    }

    /**
     * What a subscription does when its handler throws. Default {@link FailurePolicy#defaults()}.
     *
     * @param failurePolicy the policy
     * @return this builder
     */
    public Builder setFailurePolicy(FailurePolicy failurePolicy) {
      this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
      return this;
    }

    /**
     * How long one poll waits for records. Default 500 ms; {@code close()} does not wait for it.
     *
     * @param pollTimeout the longest one poll waits
     * @return this builder
     */
    public Builder setPollTimeout(Duration pollTimeout) {
      this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
      return this;
    }

    /**
     * Makes a CLIENT span {@code poll {topic}} per non-empty poll, linked to every record's
     * producer (the conventions' batch receive span). Off by default, as in OpenTelemetry's own
     * Kafka instrumentation: each poll span is a trace of its own, which fills a trace backend with
     * one trace per poll; the {@code process} spans are made either way.
     *
     * @param pollSpans whether to make poll spans
     * @return this builder
     */
    public Builder setPollSpans(boolean pollSpans) {
      this.pollSpans = pollSpans;
      return this;
    }

    /**
     * The topic this agent's replies arrive on. Default {@code baton.replies.<agent id>}.
     *
     * @param replyTopic the reply topic
     * @return this builder
     */
    public Builder setReplyTopic(String replyTopic) {
      this.replyTopic = Objects.requireNonNull(replyTopic, "replyTopic");
      return this;
    }

    /**
     * Puts record keys on spans ({@code messaging.kafka.message.key}). Off by default: keys may be
     * user data.
     *
     * @param recordKeys whether record keys go on spans
     * @return this builder
     */
    public Builder setRecordKeys(boolean recordKeys) {
      this.recordKeys = recordKeys;
      return this;
    }

    /**
     * Builds it; throws {@link IllegalArgumentException} saying what to change.
     *
     * @return Baton over Kafka; close it to close its clients
     */
    public KafkaBaton build() {
      if (producer == null
          && !config.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
          && !producerConfig.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new IllegalArgumentException("the configuration needs bootstrap.servers");
      }
      if (!config.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
          && !consumerConfig.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new IllegalArgumentException(
            "the configuration needs bootstrap.servers (consumers are created from it)");
      }
      Object autoCommit =
          merge(config, consumerConfig).get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
      if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
        throw new IllegalArgumentException(
            "remove enable.auto.commit=true: Baton commits each offset after its handler returned");
      }
      if (pollTimeout.isNegative() || pollTimeout.isZero()) {
        throw new IllegalArgumentException("pollTimeout must be positive, was " + pollTimeout);
      }
      checkSettings();
      return new KafkaBaton(this);
    }
  }
}
