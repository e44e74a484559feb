/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.kafka;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.internal.DaemonThreads;
import dev.baton.transport.internal.Redaction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads one agent's reply topic and completes pending requests by conversation id. Started on the
 * first request; assigned to every partition (no group) from the end, so it sees only replies sent
 * after it started. One thread; closed with its {@link KafkaBaton}.
 */
final class ReplyListener implements AutoCloseable {

  private final String topic;
  private final MessagingEngine<?> engine;
  private final Supplier<Consumer<String, byte[]>> consumers;
  private final Supplier<Admin> admins;
  private final Duration pollTimeout;
  private final Map<String, CompletableFuture<ConsumerRecord<String, byte[]>>> pending =
      new ConcurrentHashMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean running = true;
  private volatile Consumer<String, byte[]> consumer;
  private Thread thread;

  ReplyListener(
      String topic,
      MessagingEngine<?> engine,
      Supplier<Consumer<String, byte[]>> consumers,
      Supplier<Admin> admins,
      Duration pollTimeout) {
    this.topic = topic;
    this.engine = engine;
    this.consumers = consumers;
    this.admins = admins;
    this.pollTimeout = pollTimeout;
  }

  String topic() {
    return topic;
  }

  /** Starts the listener if needed and waits until it reads from the end of the topic. */
  void awaitReady(Duration timeout) {
    if (started.compareAndSet(false, true)) {
      thread = DaemonThreads.create("baton-kafka-replies-" + topic, this::run);
      thread.start();
    }
    try {
      ready.get(Math.max(timeout.toMillis(), 10_000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the reply listener", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "the reply listener on '" + topic + "' could not start: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the reply listener on '" + topic + "' did not start in time");
    }
  }

  CompletableFuture<ConsumerRecord<String, byte[]>> expect(String conversationId) {
    CompletableFuture<ConsumerRecord<String, byte[]>> future = new CompletableFuture<>();
    pending.put(conversationId, future);
    return future;
  }

  void forget(String conversationId) {
    pending.remove(conversationId);
  }

  private void run() {
    try {
      ensureTopic();
      consumer = consumers.get();
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      List<TopicPartition> assignment =
          partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(assignment);
      consumer.seekToEnd(assignment);
      assignment.forEach(consumer::position); // resolve the end now, before any request goes out
      ready.complete(null);
    } catch (RuntimeException e) {
      ready.completeExceptionally(e);
      closeConsumer();
      return;
    }
    try {
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(pollTimeout)) {
            String conversation =
                KafkaWire.INSTANCE.last(record.headers(), KafkaWire.CONVERSATION_ID);
            CompletableFuture<ConsumerRecord<String, byte[]>> future =
                conversation == null ? null : pending.remove(conversation);
            if (future != null) {
              future.complete(record);
            }
          }
        } catch (WakeupException e) {
          // close() woke us
        } catch (RuntimeException e) {
          engine
              .events()
              .connectionEvent(
                  ConnectionEvent.ERROR,
                  "reply listener on '" + topic + "': " + Redaction.describe(e));
          sleepQuietly(Duration.ofSeconds(1));
        }
      }
    } finally {
      closeConsumer();
    }
  }

  private void ensureTopic() {
    try (Admin admin = admins.get()) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) -1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return;
      }
      if (e.getCause() instanceof AuthorizationException) {
        // No CREATE: fine when an administrator made the topic beforehand.
        if (exists()) {
          return;
        }
        throw new IllegalStateException(
            "the reply topic '"
                + topic
                + "' does not exist and this principal may not create it: create it beforehand,"
                + " or grant CREATE on it (see the README's permissions table)",
            e.getCause());
      }
      throw new IllegalStateException(
          "could not create the reply topic '" + topic + "': " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating the reply topic", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating the reply topic '" + topic + "'", e);
    }
  }

  /** Whether the reply topic exists and this principal may see it. */
  private boolean exists() {
    try (Admin admin = admins.get()) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  private void closeConsumer() {
    Consumer<String, byte[]> c = consumer;
    if (c != null) {
      try {
        c.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        // closing: nothing to save
      }
    }
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    Consumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pending.values().forEach(f -> f.cancel(false));
  }
}
