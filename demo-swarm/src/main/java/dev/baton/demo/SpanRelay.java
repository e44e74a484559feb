/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Subscription;
import dev.baton.transport.Transport;
import dev.baton.transport.internal.DaemonThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries finished spans between the swarm's processes over the broker they already share, so the
 * coordinator that submitted a task prints the whole trace when the hops ran in five processes.
 *
 * <p>Why the broker and not the trace backend: the demo's default run has no backend (that is why
 * it prints trees), and a backend's query API is its own (Jaeger's is not OTLP). With an OTLP
 * endpoint every process exports there as well, and the backend shows the same trace. The relay
 * sends on a transport whose Baton has no tracer and no metrics, so its own traffic is neither a
 * span nor counted as agents' work. Every process sends what its {@link TraceTree} is offered
 * (batches every 200 ms, at most {@value #QUEUE} spans waiting: more are dropped and counted);
 * processes that run a coordinator listen.
 */
final class SpanRelay implements AutoCloseable {

  /** Where spans travel: core NATS, or a Kafka topic each listener reads with its own group. */
  static final String DESTINATION = "baton.demo.spans";

  private static final int QUEUE = 10_000;
  private static final int BATCH = 500;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(SpanRelay.class);

  private final Transport bus;
  private final String origin;
  private final BlockingQueue<TraceTree.Node> queue = new ArrayBlockingQueue<>(QUEUE);
  private final ScheduledExecutorService sender =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-demo-span-relay"));
  private final AtomicLong dropped = new AtomicLong();
  private final List<Subscription> subscriptions = new ArrayList<>();

  /** Sends this process's spans on {@code bus} (untraced); {@code origin} names the process. */
  SpanRelay(Transport bus, String origin) {
    this.bus = bus;
    this.origin = origin;
    sender.scheduleWithFixedDelay(this::flush, 200, 200, TimeUnit.MILLISECONDS);
  }

  /** Adds the other processes' spans to {@code tree} from now on. */
  Subscription deliverTo(TraceTree tree) {
    Subscription subscription =
        bus.subscriber().subscribe(DESTINATION, message -> receive(message, tree));
    subscriptions.add(subscription);
    return subscription;
  }

  /** Spans this process could not send (the queue was full or the broker refused them). */
  long dropped() {
    return dropped.get();
  }

  /** Queues one of this process's finished spans for the next batch. */
  void offer(TraceTree.Node node) {
    if (!queue.offer(node)) {
      dropped.incrementAndGet();
    }
  }

  private void flush() {
    List<TraceTree.Node> batch = new ArrayList<>();
    while (queue.drainTo(batch, BATCH) > 0) {
      ObjectNode message = JSON.createObjectNode().put("origin", origin);
      ArrayNode spans = message.putArray("spans");
      for (TraceTree.Node node : batch) {
        spans.add(JSON.valueToTree(node));
      }
      int size = batch.size();
      batch.clear();
      try {
        bus.publisher()
            .publish(OutboundMessage.of(DESTINATION, JSON.writeValueAsBytes(message)))
            .whenComplete(
                (receipt, error) -> {
                  if (error != null) {
                    dropped.addAndGet(size);
                  }
                });
      } catch (Exception e) {
        dropped.addAndGet(size);
        log.debug("could not relay {} spans: {}", size, e.toString());
      }
    }
  }

  private void receive(Message message, TraceTree tree) throws Exception {
    JsonNode batch = JSON.readTree(message.payload());
    if (origin.equals(batch.path("origin").asText())) {
      return; // this process's own spans are in its tree already
    }
    for (JsonNode span : batch.path("spans")) {
      tree.add(JSON.treeToValue(span, TraceTree.Node.class));
    }
  }

  /** Sends what is queued, then stops. */
  @Override
  public void close() {
    try {
      sender.submit(this::flush).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("last relay flush: {}", e.toString());
    }
    sender.shutdownNow();
    subscriptions.forEach(Subscription::close);
    bus.close();
  }
}
