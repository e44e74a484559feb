/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import dev.baton.launchers.NatsServer;
import dev.baton.propagation.Baton;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscription;
import dev.baton.transport.nats.NatsBaton;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Sends that wait for the server, 1 KiB each, on a nats-server the benchmark starts: a request and
 * its reply (the responder on a second connection), and a JetStream publish acknowledged by a
 * memory stream; the raw client with one {@code traceparent} header against Baton, sampled. Each op
 * is a round trip, so the server's time is in every figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
public class NatsAckedBenchmark {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private NatsServer server;
  private Connection requester;
  private Connection responder;
  private JetStream jetStream;
  private OpenTelemetrySdk sdk;
  private NatsBaton batonRequester;
  private NatsBaton batonResponder;
  private Publisher publisher;
  private Publisher jetStreamPublisher;
  private Subscription batonReplies;
  private Dispatcher rawReplies;
  private byte[] payload;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    server = NatsServer.start();
    requester = Nats.connect(new Options.Builder().server(server.url()).build());
    responder = Nats.connect(new Options.Builder().server(server.url()).build());
    payload = new byte[1024];
    requester
        .jetStreamManagement()
        .addStream(
            StreamConfiguration.builder()
                .name("BENCH")
                .subjects("bench.js.>")
                .storageType(StorageType.Memory)
                .maxMessages(10_000)
                .discardPolicy(DiscardPolicy.Old)
                .build());
    jetStream = requester.jetStream();
    rawReplies = responder.createDispatcher(msg -> responder.publish(msg.getReplyTo(), payload));
    rawReplies.subscribe("bench.raw.request");
    sdk = Tracing.sdk(Tracing.Sampling.SAMPLED);
    batonRequester = baton(requester, "requester");
    batonResponder = baton(responder, "responder");
    batonReplies = batonResponder.subscriber().respond("bench.baton.request", null, m -> payload);
    batonReplies.awaitReady(TIMEOUT);
    responder.flush(TIMEOUT);
    publisher = batonRequester.publisher();
    jetStreamPublisher = batonRequester.jetStreamPublisher();
  }

  private NatsBaton baton(Connection connection, String agent) {
    return NatsBaton.builder(Baton.builder(sdk).setAgentName(agent).build(), connection)
        .setBacklogInterval(Duration.ZERO)
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    batonRequester.close();
    batonResponder.close();
    requester.close();
    responder.close();
    sdk.close();
    if (server != null) {
      server.close();
    }
  }

  private static Headers traceparent() {
    return new Headers().put("traceparent", NatsPublishBenchmark.TRACEPARENT);
  }

  @Benchmark
  public Object rawRequestWithTraceparent() throws Exception {
    return requester
        .request(
            NatsMessage.builder()
                .subject("bench.raw.request")
                .headers(traceparent())
                .data(payload)
                .build())
        .get(5, TimeUnit.SECONDS);
  }

  @Benchmark
  public Object batonRequest() throws Exception {
    return publisher.request("bench.baton.request", payload, TIMEOUT).get(5, TimeUnit.SECONDS);
  }

  @Benchmark
  public Object rawJetStreamPublishWithTraceparent() throws Exception {
    return jetStream.publish("bench.js.raw", traceparent(), payload);
  }

  @Benchmark
  public Object batonJetStreamPublish() throws Exception {
    return jetStreamPublisher
        .publish(OutboundMessage.of("bench.js.baton", payload))
        .get(5, TimeUnit.SECONDS);
  }
}
