/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.SpanDetail;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** Every NATS send: core publish, JetStream publish, requests and replies, through the engine. */
final class NatsSender {

  private static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> STREAM = AttributeKey.stringKey("baton.nats.stream");

  private final Connection connection;
  private final MessagingEngine<Headers> engine;
  private final AtomicReference<ServerDetail> server = new AtomicReference<>();
  private final String inboxPrefix;
  private final String inboxTemplate;
  private final SendOptions replyOptions;

  NatsSender(Connection connection, MessagingEngine<Headers> engine) {
    this.connection = connection;
    this.engine = engine;
    String prefix = connection.getOptions().getInboxPrefix();
    this.inboxPrefix = prefix == null || prefix.isEmpty() ? "_INBOX." : prefix;
    this.inboxTemplate = inboxPrefix + ">";
    this.replyOptions = SendOptions.PUBLISH.withTemporary(inboxTemplate);
  }

  /** Whether {@code subject} is one of this connection's reply inboxes. */
  boolean isInbox(String subject) {
    return subject.startsWith(inboxPrefix);
  }

  /** The low-cardinality name of the reply inboxes, {@code _INBOX.>} by default. */
  String inboxTemplate() {
    return inboxTemplate;
  }

  MessagingEngine<Headers> engine() {
    return engine;
  }

  private Send<Headers> start(OutboundMessage outbound, SendOptions options) {
    return engine.startSend(outbound, options).addDetail(serverDetail());
  }

  /** A core NATS publish: the span ends once the client has the message. */
  Send<Headers> publishCore(OutboundMessage outbound) {
    Send<Headers> send = start(outbound, SendOptions.PUBLISH);
    try (Scope ignored = send.enterClient()) {
      connection.publish(outbound.destination(), send.headers(), outbound.payload());
    } catch (RuntimeException e) {
      send.fail(e);
      throw e;
    }
    send.end(null);
    return send;
  }

  /** A JetStream publish: the span ends on the stream's PubAck. */
  CompletableFuture<PublishReceipt> publishJetStream(JetStream js, OutboundMessage outbound) {
    Send<Headers> send = start(outbound, SendOptions.PUBLISH_WITH_ID_HEADER);
    // No PublishOptions: jnats then hands the headers on as they are. With options it copies them
    // through its private map, which would need NatsWire.OutgoingHeaders spilled first.
    CompletableFuture<PublishAck> ack =
        send.call(
            () -> js.publishAsync(outbound.destination(), send.headers(), outbound.payload()));
    return send.awaitAck(
        ack,
        pa -> {
          send.setAttribute(STREAM, pa.getStream());
          return new PublishReceipt(
              outbound.destination(), send.id(), pa.getStream(), pa.getSeqno(), pa.isDuplicate());
        },
        true);
  }

  /** A reply to a request: a send to a temporary inbox in the requester's conversation. */
  void reply(OutboundMessage reply, String conversationId) {
    Send<Headers> send = start(reply, replyOptions.withConversation(conversationId));
    send.call(
        () -> {
          connection.publish(reply.destination(), send.headers(), reply.payload());
          return null;
        });
    send.end(null);
  }

  CompletableFuture<Message> request(OutboundMessage outbound, Duration timeout) {
    String id = outbound.id() == null ? MessagingEngine.newMessageId() : outbound.id();
    Send<Headers> send = start(outbound.withId(id), SendOptions.PUBLISH.withConversation(id));
    NatsMessage message =
        NatsMessage.builder()
            .subject(outbound.destination())
            .headers(send.headers())
            .data(outbound.payload())
            .build();
    // jnats notices a timeout only on its cleanup timer (seconds later): the engine enforces ours.
    CompletableFuture<io.nats.client.Message> pending =
        send.call(() -> connection.requestWithTimeout(message, timeout));
    return send.awaitReply(
        pending,
        timeout,
        reply ->
            Delivery.of(reply.getSubject(), "", payload(reply), null, 1, inboxTemplate, true, null),
        io.nats.client.Message::getHeaders);
  }

  static byte[] payload(io.nats.client.Message message) {
    byte[] data = message.getData();
    return data == null ? new byte[0] : data;
  }

  /** server.address and server.port of the server the connection uses now; never credentials. */
  private SpanDetail serverDetail() {
    String url = connection.getConnectedUrl();
    ServerDetail cached = server.get();
    if (cached != null && cached.url.equals(url == null ? "" : url)) {
      return cached;
    }
    Attributes attributes = Attributes.empty();
    URI uri = hostAndPort(url);
    if (uri != null) {
      attributes = Attributes.of(SERVER_ADDRESS, uri.getHost(), SERVER_PORT, (long) uri.getPort());
    }
    ServerDetail detail = new ServerDetail(url == null ? "" : url, attributes);
    server.set(detail);
    return detail;
  }

  /**
   * The server URL parsed for its host and port only (never its user-info), or {@code null} when it
   * has no host or does not parse: an unparsable URL yields nothing rather than leaking it.
   */
  static @Nullable URI hostAndPort(@Nullable String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = URI.create(url);
      return uri.getHost() == null ? null : uri;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private record ServerDetail(String url, Attributes attributes) implements SpanDetail {
    @Override
    public void addTo(Span span) {
      span.setAllAttributes(attributes);
    }
  }
}
