/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.propagation.Baton;
import dev.baton.propagation.spi.probe.ProbeSchedule;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every transport's entry object shares ({@code NatsBaton}, {@code KafkaBaton}): its publisher
 * and subscriber, the subscriptions made through it, the probe that measures them off the message
 * path, and closing all of that in order. A transport extends it and adds only what is specific to
 * its broker. Thread-safe.
 */
public abstract class TransportBase implements Transport {

  private final String name;
  private final String agentName;
  private final String agentId;
  private final Duration drainTimeout;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ProbeSchedule probe = ProbeSchedule.none();
  private volatile Publisher publisher;
  private volatile Subscriber subscriber;

  private final Duration backlogInterval;

  /**
   * For transports. {@code name} appears in errors ("this NatsBaton is closed"); {@code baton} is
   * the agent's; the builder holds the settings every transport has.
   *
   * @param name the transport's name, for errors
   * @param baton the agent's Baton
   * @param builder the transport's builder, with the shared settings
   */
  protected TransportBase(String name, Baton baton, Builder<?> builder) {
    this.name = Objects.requireNonNull(name, "name");
    this.agentName = baton.agentName();
    this.agentId = baton.agentId();
    this.drainTimeout = builder.drainTimeout;
    this.backlogInterval = builder.backlogInterval;
  }

  /**
   * Called once at the end of the transport's constructor: its publisher and subscriber, and the
   * probe ({@link #probe()}) on a thread named {@code probeThread} at the builder's backlog
   * interval.
   *
   * @param publisher the transport's publisher
   * @param subscriber the transport's subscriber
   * @param probeThread the name of the probe's thread
   */
  protected final void open(Publisher publisher, Subscriber subscriber, String probeThread) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
    this.probe = ProbeSchedule.start(probeThread, backlogInterval, this::probe);
  }

  /** {@return how often the backlog probe runs ({@link Duration#ZERO}: never)} */
  protected final Duration backlogInterval() {
    return backlogInterval;
  }

  @Override
  public final String agentName() {
    return agentName;
  }

  @Override
  public final String agentId() {
    return agentId;
  }

  @Override
  public final Publisher publisher() {
    return publisher;
  }

  @Override
  public final Subscriber subscriber() {
    return subscriber;
  }

  /**
   * {@return how long {@link #close()} waits for each subscription; also the transport's own limit}
   */
  protected final Duration drainTimeout() {
    return drainTimeout;
  }

  /** Measures every subscription's backlog now: the probe calls this on its schedule. */
  protected abstract void probe();

  /** Closes what only the transport holds (listeners, producers), after the subscriptions. */
  protected abstract void closeTransport();

  /**
   * Registers a subscription made through this transport; it is drained on {@link #close()}.
   *
   * @param <S> the subscription's type
   * @param subscription the subscription
   * @return {@code subscription}
   */
  protected final <S extends Subscription> S track(S subscription) {
    subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Forgets a subscription that closed on its own.
   *
   * @param subscription the subscription
   */
  protected final void untrack(Subscription subscription) {
    subscriptions.remove(subscription);
  }

  /** {@return the subscriptions open now} */
  protected final List<Subscription> subscriptions() {
    return List.copyOf(subscriptions);
  }

  /** Throws {@link IllegalStateException} once this transport is closed. */
  protected final void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this " + name + " is closed");
    }
  }

  /**
   * Drains every subscription made through this object (waiting up to the drain timeout for each),
   * stops the probe, then closes what the transport holds. Idempotent.
   */
  @Override
  public final void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Subscription subscription : subscriptions()) {
      subscription.drain(drainTimeout);
    }
    probe.close();
    closeTransport();
  }

  /**
   * The settings every transport's builder has. Not thread-safe.
   *
   * @param <B> the transport's builder
   */
  public abstract static class Builder<B extends Builder<B>> {
    private Duration drainTimeout = Duration.ofSeconds(10);
    private Duration backlogInterval = Duration.ofSeconds(10);

    /** For transports' builders. */
    protected Builder() {}

    /**
     * How long {@code close()} waits for each subscription to drain. Default 10 s.
     *
     * @param drainTimeout the longest {@code close()} waits per subscription
     * @return this builder
     */
    public final B setDrainTimeout(Duration drainTimeout) {
      this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
      return self();
    }

    /**
     * How often the backlog probe measures lag, lag in seconds and queue depth, on its own thread
     * off the message path; {@link Duration#ZERO} turns it off. Default 10 s.
     *
     * @param backlogInterval the time between two probe runs, or {@link Duration#ZERO} for none
     * @return this builder
     */
    public final B setBacklogInterval(Duration backlogInterval) {
      this.backlogInterval = Objects.requireNonNull(backlogInterval, "backlogInterval");
      return self();
    }

    /** Throws {@link IllegalArgumentException} saying what to change in these settings. */
    protected final void checkSettings() {
      if (drainTimeout.isNegative() || drainTimeout.isZero()) {
        throw new IllegalArgumentException("drainTimeout must be positive, was " + drainTimeout);
      }
      if (backlogInterval.isNegative()) {
        throw new IllegalArgumentException(
            "backlogInterval must be zero (off) or positive, was " + backlogInterval);
      }
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }
  }
}
