/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.metrics.ConsumerStatus;
import dev.baton.metrics.PrometheusScrape;
import dev.baton.propagation.HandlerCost;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.TransportListener;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The contract's metric scenarios, read from the registry and the scrape. */
public interface MetricScenarios extends ContractHarness {

  /**
   * Sent, received and processed count exactly what was sent.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void sentReceivedAndProcessedCountExactlyWhatWasSent() throws Exception {
    String destination = unique("count") + ".jobs";
    Agent agent = measuredAgent("counter");
    AtomicInteger handled = new AtomicInteger();
    agent.ready(agent.subscriber().subscribe(destination, m -> handled.incrementAndGet()));
    int count = 137;

    for (int i = 0; i < count; i++) {
      agent.publisher().publish(OutboundMessage.of(destination, "m" + i));
    }

    Await.until("all handled", () -> handled.get() == count);
    Await.until(
        "all sends counted",
        () -> meters().counterOn("messaging.client.sent.messages", destination) == count);
    Await.until(
        "all processed",
        () -> meters().counterOn("baton.processed.messages", destination) == count);
    assertThat(meters().counterOn("messaging.client.consumed.messages", destination))
        .isEqualTo(count);
    assertThat(meters().counterOn("baton.processed.messages", destination, "outcome", "success"))
        .isEqualTo(count);
    assertThat(
            registry()
                .get("baton.agent.messages")
                .tag("from_agent", "counter")
                .tag("to_agent", "counter")
                .counter()
                .count())
        .isEqualTo(count);
  }

  /**
   * The handler's cost of a real hop is on its process span and the agent's meters.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void theHandlersCostOfARealHopIsOnItsProcessSpanAndTheAgentsMeters() throws Exception {
    String destination = unique("cost") + ".jobs";
    // where the handler leaves its block, so that the allocation cannot be optimised away
    AtomicReference<byte[]> kept = new AtomicReference<>();
    Agent agent =
        agent(
            "spender",
            b -> b.addListener(metrics()).setHandlerCost(HandlerCost.ALLOCATIONS_AND_CPU));
    agent.ready(
        agent
            .subscriber()
            .subscribe(
                destination,
                m -> {
                  // 4 MiB allocated, at least 20 ms of this thread's CPU
                  byte[] block = new byte[4 << 20];
                  ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                  long until = threads.getCurrentThreadCpuTime() + 20_000_000;
                  long x = 0;
                  while (threads.getCurrentThreadCpuTime() < until) {
                    x += System.nanoTime() % 7;
                  }
                  block[0] = (byte) x;
                  kept.set(block);
                }));

    agent.publisher().publish(OutboundMessage.of(destination, "work"));

    SpanData process =
        Await.size(
                "the process span",
                1,
                () ->
                    handOffSpans().stream()
                        .filter(sp -> sp.getName().equals("process " + destination))
                        .toList())
            .get(0);
    Double cpu = process.getAttributes().get(AttributeKey.doubleKey("baton.handler.cpu_time"));
    Long allocated =
        process.getAttributes().get(AttributeKey.longKey("baton.handler.allocated_bytes"));
    assertThat(allocated).as("bytes the handler allocated").isBetween(4L << 20, 64L << 20);
    assertThat(cpu)
        .as("the handler's CPU seconds, within its wall time")
        .isBetween(0.020, (process.getEndEpochNanos() - process.getStartEpochNanos()) / 1e9);
    Await.until(
        "the cost on the agent's meters",
        () -> meters().counterOn("baton.handler.allocated", destination) > 0);
    assertThat(
            meters()
                .counterOn("baton.handler.allocated", destination, "gen_ai.agent.name", "spender"))
        .as("the meter counts exactly the span's bytes")
        .isEqualTo(allocated.doubleValue());
    assertThat(
            meters()
                .counterOn("baton.handler.cpu.time", destination, "gen_ai.agent.name", "spender"))
        .as("the meter counts exactly the span's CPU seconds")
        .isCloseTo(cpu, Offset.offset(1e-9));
  }

  /**
   * The latency histograms carry the process span of a message as exemplar in OpenMetrics.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void theLatencyHistogramsCarryTheProcessSpanOfAMessageAsExemplarInOpenMetrics()
      throws Exception {
    String destination = unique("exemplar") + ".jobs";
    Agent agent = measuredAgent("sampler");
    AtomicReference<SpanContext> handledIn = new AtomicReference<>();
    agent.ready(
        agent
            .subscriber()
            .subscribe(destination, m -> handledIn.set(Span.current().getSpanContext())));

    agent.publisher().publish(OutboundMessage.of(destination, "x"));

    Await.until(
        "processed", () -> meters().counterOn("baton.processed.messages", destination) == 1);
    SpanContext process = handledIn.get();
    String scrape;
    try (PrometheusScrape server =
        PrometheusScrape.start(
            registry(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      HttpRequest request =
          HttpRequest.newBuilder(server.uri())
              .header("Accept", "application/openmetrics-text; version=1.0.0")
              .build();
      scrape =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
    String exemplar =
        "# {span_id=\"%s\",trace_id=\"%s\"}".formatted(process.getSpanId(), process.getTraceId());
    for (String histogram :
        List.of(
            "baton_delivery_latency_seconds_bucket", "messaging_process_duration_seconds_bucket")) {
      assertThat(
              scrape
                  .lines()
                  .filter(l -> l.startsWith(histogram + "{"))
                  .filter(l -> l.contains("messaging_destination_name=\"" + destination + "\""))
                  .filter(l -> l.contains(exemplar)))
          .as("%s's exemplar is the process span %s", histogram, process)
          .hasSize(1);
    }
    SpanData processSpan =
        spans(2).stream()
            .filter(s -> s.getSpanContext().getSpanId().equals(process.getSpanId()))
            .findFirst()
            .orElseThrow();
    assertThat(processSpan.getName()).isEqualTo("process " + destination);
    assertThat(processSpan.getAttributes().get(AttributeKey.stringKey("exemplar")))
        .isEqualTo("true");
  }

  /**
   * A message stamped one and a half seconds ago lands in the right latency bucket.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void aMessageStampedOneAndAHalfSecondsAgoLandsInTheRightLatencyBucket() throws Exception {
    // The stamp is 1.5 s old: it cannot land at or under 1 s, and has 1 s to spare under 2.5 s,
    // whatever the scheduler does on a loaded machine.
    String destination = unique("late") + ".in";
    Agent agent = measuredAgent("receiver");
    CountDownLatch got = new CountDownLatch(1);
    agent.ready(agent.subscriber().subscribe(destination, m -> got.countDown()));
    long stampMicros = (System.currentTimeMillis() - 1500) * 1000;

    agent.rawPublish(
        destination, Map.of("baton-sent-at", List.of(Long.toString(stampMicros))), bytes("x"));

    assertThat(got.await(20, TimeUnit.SECONDS)).isTrue();
    Await.until(
        "the delivery latency recorded",
        () -> meters().counterOn("messaging.client.consumed.messages", destination) == 1);
    CountAtBucket[] buckets =
        registry()
            .get("baton.delivery.latency")
            .tag("messaging.destination.name", destination)
            .timer()
            .takeSnapshot()
            .histogramCounts();
    assertThat(countAt(buckets, 1.0)).isZero();
    assertThat(countAt(buckets, 2.5)).isEqualTo(1);
  }

  private static double countAt(CountAtBucket[] buckets, double seconds) {
    return Arrays.stream(buckets)
        .filter(b -> b.bucket(TimeUnit.SECONDS) == seconds)
        .findFirst()
        .orElseThrow()
        .count();
  }

  /**
   * What a transport asserts, beyond the contract, about the backlog events of {@link
   * #aThousandMessagesBehindAPausedHandlerReadAsALagOfExactlyAThousand} while the handler is paused
   * (a partition, messages in flight); nothing by default.
   *
   * @param backlog a backlog event measured while the handler was paused
   */
  default void assertBacklogWhilePaused(TransportListener.Backlog backlog) {}

  /**
   * A thousand messages behind a paused handler read as a lag of exactly a thousand.
   *
   * @throws Exception when the broker or the harness fails
   */
  @Test
  default void aThousandMessagesBehindAPausedHandlerReadAsALagOfExactlyAThousand()
      throws Exception {
    String destination = unique("lag") + ".jobs";
    RecordingListener events = new RecordingListener();
    Agent producer = measuredAgent("producer");
    Agent worker = agent("worker", b -> b.addListener(metrics()).addListener(events));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    worker.ready(
        worker
            .redeliveringSubscriber(destination)
            .subscribe(
                destination,
                "laggards",
                m -> {
                  if (!m.payloadAsString().equals("warm-up")) {
                    release.await(60, TimeUnit.SECONDS);
                  }
                  handled.incrementAndGet();
                }));
    producer
        .durablePublisher()
        .publish(OutboundMessage.of(destination, "warm-up"))
        .get(30, TimeUnit.SECONDS);
    Await.until(
        "warm-up handled and acknowledged",
        () -> {
          worker.probe();
          return handled.get() == 1 && meters().gaugeOn("baton.consumer.lag", destination) == 0;
        });

    for (int i = 0; i < 999; i++) {
      producer.durablePublisher().publish(OutboundMessage.of(destination, "job-" + i));
    }
    producer
        .durablePublisher()
        .publish(OutboundMessage.of(destination, "job-999"))
        .get(30, TimeUnit.SECONDS);

    Await.until(
        "a lag of exactly 1,000",
        () -> {
          worker.probe();
          return meters().gaugeOn("baton.consumer.lag", destination) == 1000;
        });
    double firstAge = meters().gaugeOn("baton.consumer.lag.time", destination);
    Await.until(
        "the lag in seconds grows while paused",
        () -> {
          worker.probe();
          return meters().gaugeOn("baton.consumer.lag.time", destination) > firstAge;
        });
    TransportListener.Backlog paused = lastBacklog(events);
    assertThat(paused.destination()).isEqualTo(destination);
    assertThat(paused.group()).isEqualTo("laggards");
    assertThat(paused.lagMessages()).isEqualTo(1000);
    assertBacklogWhilePaused(paused);
    release.countDown();
    Await.until("drained", Duration.ofSeconds(60), () -> handled.get() == 1001);
    Await.until(
        "caught up",
        () -> {
          worker.probe();
          return meters().gaugeOn("baton.consumer.lag", destination) == 0;
        });
    assertThat(meters().gaugeOn("baton.consumer.lag.time", destination)).isZero();
    assertThat(lastBacklog(events).lagSeconds()).isZero();
    assertThat(metrics().status(system(), destination, "laggards")).isEqualTo(ConsumerStatus.OK);
  }

  private static TransportListener.Backlog lastBacklog(RecordingListener events) {
    assertThat(events.backlog).as("backlog events").isNotEmpty();
    return events.backlog.get(events.backlog.size() - 1);
  }
}
