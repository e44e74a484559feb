/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.docs.toy;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A broker in this JVM, shaped like RabbitMQ's client: a message has a queue, a header map, a body,
 * a reply address, a redelivery count and a delivery tag to ack or nack. Each (queue, group) has
 * one consumer and one delivery thread. It stands in for a real client in
 * docs/writing-a-transport.md, so the page's transport compiles and runs.
 */
final class ToyBroker implements AutoCloseable {

  /** A delivered message. */
  record ToyMessage(
      String queue,
      Map<String, Object> headers,
      byte[] body,
      @Nullable String replyTo,
      int redeliveryCount,
      long tag) {}

  /** What a consumer does with each delivery. */
  interface Consumer {
    void onMessage(ToyMessage message);
  }

  /** Messages a group has been handed and not yet started, and their body bytes. */
  record Waiting(long messages, long bytes) {}

  private record Group(
      String queue,
      String name,
      Consumer consumer,
      ExecutorService thread,
      AtomicLong messages,
      AtomicLong bytes) {}

  private final Map<String, Map<String, Group>> queues = new ConcurrentHashMap<>();

  private record Unacked(Group group, ToyMessage message) {}

  private final Map<Long, Unacked> unacked = new ConcurrentHashMap<>();
  private final AtomicLong tags = new AtomicLong();

  /** Hands the message to every group consuming {@code queue}; completes when it is queued. */
  CompletableFuture<Long> publish(
      String queue, Map<String, Object> headers, byte[] body, @Nullable String replyTo) {
    long tag = tags.incrementAndGet();
    for (Group group : queues.getOrDefault(queue, Map.of()).values()) {
      enqueue(
          group,
          new ToyMessage(queue, Map.copyOf(headers), body, replyTo, 0, tags.incrementAndGet()));
    }
    return CompletableFuture.completedFuture(tag);
  }

  /** Starts consuming {@code queue} as {@code group}; close the result to stop. */
  AutoCloseable consume(String queue, String group, Consumer consumer) {
    Group g =
        new Group(
            queue,
            group,
            consumer,
            Executors.newSingleThreadExecutor(r -> new Thread(r, "toy-" + queue + "-" + group)),
            new AtomicLong(),
            new AtomicLong());
    if (queues.computeIfAbsent(queue, q -> new ConcurrentHashMap<>()).putIfAbsent(group, g)
        != null) {
      g.thread().shutdown();
      throw new IllegalStateException("group " + group + " already consumes " + queue);
    }
    return () -> {
      queues.get(queue).remove(group, g);
      g.thread().shutdown();
      g.thread().awaitTermination(5, TimeUnit.SECONDS);
    };
  }

  /** The message is done. */
  void basicAck(long deliveryTag) {
    unacked.remove(deliveryTag);
  }

  /** The message failed: with {@code requeue}, its group gets it again. */
  void basicNack(long deliveryTag, boolean requeue) {
    Unacked failed = unacked.remove(deliveryTag);
    if (requeue && failed != null && !failed.group().thread().isShutdown()) {
      ToyMessage m = failed.message();
      enqueue(
          failed.group(),
          new ToyMessage(
              m.queue(),
              m.headers(),
              m.body(),
              m.replyTo(),
              m.redeliveryCount() + 1,
              tags.incrementAndGet()));
    }
  }

  /** Messages delivered and not yet acked or nacked. */
  int unacked() {
    return unacked.size();
  }

  /** What {@code group} of {@code queue} has waiting. */
  Waiting waiting(String queue, String group) {
    Group g = queues.getOrDefault(queue, Map.of()).get(group);
    return g == null ? new Waiting(0, 0) : new Waiting(g.messages().get(), g.bytes().get());
  }

  private void enqueue(Group group, ToyMessage message) {
    group.messages().incrementAndGet();
    group.bytes().addAndGet(message.body().length);
    group
        .thread()
        .execute(
            () -> {
              group.messages().decrementAndGet();
              group.bytes().addAndGet(-message.body().length);
              unacked.put(message.tag(), new Unacked(group, message));
              group.consumer().onMessage(message);
            });
  }

  @Override
  public void close() {
    queues.values().forEach(groups -> groups.values().forEach(g -> g.thread().shutdownNow()));
    queues.clear();
  }
}
