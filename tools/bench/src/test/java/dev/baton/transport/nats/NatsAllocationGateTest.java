/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.baton.bench.AllocationGate;
import dev.baton.bench.Budgets;
import dev.baton.bench.Tracing;
import dev.baton.launchers.NatsServer;
import dev.baton.propagation.Baton;
import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationMode;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.Publisher;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allocation gate on NATS (issue 27): bytes per 1 KiB publish and per receive, on the calling
 * thread, against a nats-server of the test's own, over the floor, within {@link Budgets}. A change
 * that makes the hot path heavier fails here, in the default build.
 */
class NatsAllocationGateTest {

  private static final String SUBJECT = "gate.publish";
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private static NatsServer server;
  private static Connection connection;
  private static OpenTelemetrySdk sampledSdk;
  private static OpenTelemetrySdk unsampledSdk;
  private static final byte[] PAYLOAD = new byte[1024];
  private static volatile Object sink;

  @BeforeAll
  static void start() throws Exception {
    server = NatsServer.start();
    connection = Nats.connect(new Options.Builder().server(server.url()).build());
    sampledSdk = Tracing.sdk(Tracing.Sampling.SAMPLED);
    unsampledSdk = Tracing.sdk(Tracing.Sampling.UNSAMPLED);
  }

  @AfterAll
  static void stop() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (sampledSdk != null) {
      sampledSdk.close();
      unsampledSdk.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The raw client publishing with one traceparent header. */
  private static final AllocationGate.Op PUBLISH_FLOOR =
      () -> {
        Headers headers = new Headers();
        headers.put("traceparent", TRACEPARENT);
        connection.publish(SUBJECT, headers, PAYLOAD);
      };

  /** The floor, Baton, and when sampled the SDK's span alone, measured in turn. */
  private static double[] publish(OpenTelemetrySdk sdk, boolean onward) throws Exception {
    try (NatsBaton baton =
        NatsBaton.builder(Baton.builder(sdk).setAgentName("gate").build(), connection)
            .setBacklogInterval(Duration.ZERO)
            .build()) {
      Publisher publisher = baton.publisher();
      AllocationGate.Op batonOp = () -> publisher.publish(SUBJECT, PAYLOAD);
      return AllocationGate.floorBatonAndSpan(
          AllocationGate.WARMUP,
          onward ? AllocationGate.inUnsampledHandler(PUBLISH_FLOOR) : PUBLISH_FLOOR,
          onward ? AllocationGate.inUnsampledHandler(batonOp) : batonOp,
          sdk == sampledSdk ? spanAlone(SpanKind.PRODUCER) : null);
    }
  }

  private static AllocationGate.Op spanAlone(SpanKind kind) {
    var tracer = sampledSdk.getTracer("gate");
    return () -> Tracing.spanAlone(tracer, kind, PAYLOAD.length);
  }

  @Test
  void anUnsampledPublishStaysWithinItsBudget() throws Exception {
    double[] measured = publish(unsampledSdk, false);
    AllocationGate.printRootShare(
        Budgets.NATS_PUBLISH,
        measured,
        AllocationGate.droppedRootSpan(unsampledSdk, SpanKind.PRODUCER));
    AllocationGate.check(Budgets.NATS_PUBLISH, false, measured);
  }

  @Test
  void anUnsampledHandlersOnwardPublishStaysWithinItsBudget() throws Exception {
    AllocationGate.check(Budgets.NATS_PUBLISH_ONWARD, false, publish(unsampledSdk, true));
  }

  @Test
  void aSampledPublishAddsLittleToItsSpan() throws Exception {
    AllocationGate.check(Budgets.NATS_PUBLISH, true, publish(sampledSdk, false));
  }

  @Test
  void anUnsampledReceiveStaysWithinItsBudget() throws Exception {
    AllocationGate.check(Budgets.NATS_RECEIVE, false, receive(unsampledSdk, "-00"));
  }

  @Test
  void aSampledReceiveAddsLittleToItsSpan() throws Exception {
    AllocationGate.check(Budgets.NATS_RECEIVE, true, receive(sampledSdk, "-01"));
  }

  /**
   * The application's handler alone (the floor) and Baton's handler around it, as a subscription
   * runs it, on a message as jnats hands it over.
   */
  private static double[] receive(OpenTelemetrySdk sdk, String flags) throws Exception {
    Message message = received(flags);
    io.nats.client.MessageHandler app = m -> sink = m.getData();
    NatsSender sender =
        new NatsSender(
            connection,
            MessagingEngine.create(
                Baton.builder(sdk).setAgentName("gate").build(), new NatsWire(connection)));
    io.nats.client.MessageHandler handler =
        NatsReceiver.handler(sender, "bench.receive", "", m -> sink = m.payload());
    AllocationGate.Op floor = () -> app.onMessage(message);
    AllocationGate.Op batonOp = () -> handler.onMessage(message);
    return AllocationGate.floorBatonAndSpan(
        AllocationGate.WARMUP,
        floor,
        batonOp,
        sdk == sampledSdk ? spanAlone(SpanKind.CONSUMER) : null);
  }

  /**
   * What carrying a conversation adds to an unsampled handler's onward publish: Baton with
   * conversations off in the handler's context (the floor here) against Baton with them on, in a
   * conversation. Prints what it adds on the wire.
   */
  @Test
  void aConversationAddsLittleToAnOnwardPublish() throws Exception {
    Context inConversation;
    try (Scope ignored = Tracing.UNSAMPLED_SENDER.makeCurrent()) {
      inConversation = Conversation.begin("7f3a9c2e41d04b6e8a5f0c1d2e3b4a59");
    }
    try (NatsBaton off =
            NatsBaton.builder(Baton.builder(unsampledSdk).setAgentName("gate").build(), connection)
                .setBacklogInterval(Duration.ZERO)
                .build();
        NatsBaton on =
            NatsBaton.builder(
                    Baton.builder(unsampledSdk)
                        .setAgentName("gate")
                        .setConversations(ConversationMode.MINT)
                        .build(),
                    connection)
                .setBacklogInterval(Duration.ZERO)
                .build()) {
      Publisher offPublisher = off.publisher();
      Publisher onPublisher = on.publisher();
      AllocationGate.Op offOp =
          AllocationGate.inUnsampledHandler(() -> offPublisher.publish(SUBJECT, PAYLOAD));
      AllocationGate.Op onOp =
          () -> {
            try (Scope ignored = inConversation.makeCurrent()) {
              onPublisher.publish(SUBJECT, PAYLOAD);
            }
          };
      System.out.printf(
          "allocation gate: conversation on the wire: %d header bytes off, %d on%n",
          headerBytes(offOp), headerBytes(onOp));
      AllocationGate.check(
          Budgets.NATS_CONVERSATION_PUBLISH,
          false,
          AllocationGate.floorBatonAndSpan(AllocationGate.WARMUP, offOp, onOp, null));
    }
  }

  /**
   * What a conversation adds to an unsampled receive: a message with Baton's header handled with
   * conversations off (the floor here) against one that carries a conversation (its id in baggage,
   * its totals in Baton's header) handled with them on.
   */
  @Test
  void aConversationAddsLittleToAReceive() throws Exception {
    Message plain = received("-00");
    Message conversing =
        received(
            "-00",
            " h=2,a=2.0000000400100000,t0=" + System.currentTimeMillis() * 1000 + ",ti=1200,to=340",
            "gen_ai.conversation.id=7f3a9c2e41d04b6e8a5f0c1d2e3b4a59");
    io.nats.client.MessageHandler offHandler = handler(Baton.builder(unsampledSdk));
    io.nats.client.MessageHandler onHandler =
        handler(Baton.builder(unsampledSdk).setConversations(ConversationMode.MINT));
    AllocationGate.check(
        Budgets.NATS_CONVERSATION_RECEIVE,
        false,
        AllocationGate.floorBatonAndSpan(
            AllocationGate.WARMUP,
            () -> offHandler.onMessage(plain),
            () -> onHandler.onMessage(conversing),
            null));
  }

  private static io.nats.client.MessageHandler handler(Baton.Builder baton) {
    NatsSender sender =
        new NatsSender(
            connection,
            MessagingEngine.create(baton.setAgentName("gate").build(), new NatsWire(connection)));
    return NatsReceiver.handler(sender, "bench.receive", "", m -> sink = m.payload());
  }

  /** The header bytes of the message {@code publish} sends, as the server delivers it. */
  private static int headerBytes(AllocationGate.Op publish) throws Exception {
    io.nats.client.Subscription subscription = connection.subscribe(SUBJECT);
    try {
      connection.flush(Duration.ofSeconds(5));
      publish.run();
      Message message = subscription.nextMessage(Duration.ofSeconds(10));
      assertNotNull(message, "the gate's message did not come back from the server");
      return message.getHeaders().serializedLength();
    } finally {
      subscription.unsubscribe();
    }
  }

  /** A message with a traceparent and Baton's header, sent through the server and received. */
  private static Message received(String flags) throws Exception {
    return received(flags, "", null);
  }

  /**
   * A message with a traceparent, Baton's header ending in {@code ledger} and, when not null, a
   * baggage header, sent through the server and received.
   */
  private static Message received(String flags, String ledger, @Nullable String baggage)
      throws Exception {
    io.nats.client.Subscription subscription = connection.subscribe("gate.receive");
    try {
      Headers headers =
          new Headers()
              .put("traceparent", TRACEPARENT.substring(0, TRACEPARENT.length() - 3) + flags)
              .put(
                  "baton",
                  "1;"
                      + System.currentTimeMillis() * 1000
                      + ";0af7651916cd43dd8448eb211c80319c;sender"
                      + ledger);
      if (baggage != null) {
        headers.put("baggage", baggage);
      }
      connection.publish(
          NatsMessage.builder().subject("gate.receive").headers(headers).data(PAYLOAD).build());
      Message message = subscription.nextMessage(Duration.ofSeconds(10));
      assertNotNull(message, "the gate's message did not come back from the server");
      return message;
    } finally {
      subscription.unsubscribe();
    }
  }
}
