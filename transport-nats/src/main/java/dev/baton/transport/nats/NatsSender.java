package dev.baton.transport.nats;

import dev.baton.propagation.Delivery;
import dev.baton.propagation.MessagingEngine;
import dev.baton.propagation.Send;
import dev.baton.propagation.SendSpec;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * What every NATS send shares: headers, the PRODUCER span, server attributes, requests, replies.
 */
final class NatsSender {

  private static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  // Room kept for Baton's own headers when sizing the baggage budget.
  private static final int RESERVED_HEADER_BYTES = 512;

  private final Connection connection;
  private final MessagingEngine engine;
  private final AtomicReference<ServerAttributes> server = new AtomicReference<>();
  private final String inboxPrefix;
  private final String inboxTemplate;

  NatsSender(Connection connection, MessagingEngine engine) {
    this.connection = connection;
    this.engine = engine;
    String prefix = connection.getOptions().getInboxPrefix();
    this.inboxPrefix = prefix == null || prefix.isEmpty() ? "_INBOX." : prefix;
    this.inboxTemplate = inboxPrefix + ">";
  }

  /** Whether {@code subject} is one of this connection's reply inboxes. */
  boolean isInbox(String subject) {
    return subject.startsWith(inboxPrefix);
  }

  /** The low-cardinality name of the reply inboxes, {@code _INBOX.>} by default. */
  String inboxTemplate() {
    return inboxTemplate;
  }

  MessagingEngine engine() {
    return engine;
  }

  Connection connection() {
    return connection;
  }

  /** A prepared message: headers written, span started. */
  record Prepared(NatsMessage message, String id, Send send) {}

  Prepared prepare(
      OutboundMessage outbound,
      @Nullable String replyTo,
      @Nullable String conversationId,
      boolean temporary) {
    String id = outbound.id() == null ? MessagingEngine.newMessageId() : outbound.id();
    Headers headers = new Headers();
    outbound.headers().forEach(headers::put);
    headers.put(NatsHeaders.MSG_ID, id);
    SendSpec spec =
        SendSpec.of(outbound.destination(), id, outbound.payload().length)
            .withBaggageBudget(baggageBudget(outbound.payload().length, headers))
            .withAttributes(serverAttributes());
    if (conversationId != null) {
      spec = spec.withConversation(conversationId);
    }
    if (temporary) {
      spec = spec.withTemporary(inboxTemplate);
    }
    Send send = engine.startSend(spec, headers, NatsHeaders.SETTER);
    NatsMessage message =
        NatsMessage.builder()
            .subject(outbound.destination())
            .replyTo(replyTo)
            .headers(headers)
            .data(outbound.payload())
            .build();
    return new Prepared(message, id, send);
  }

  /** A core NATS publish: the span ends once the client has the message. */
  CompletableFuture<PublishReceipt> publishCore(OutboundMessage outbound) {
    Prepared prepared = prepare(outbound, null, null, false);
    try {
      connection.publish(prepared.message());
    } catch (RuntimeException e) {
      prepared.send().fail(e);
      throw e;
    }
    PublishReceipt receipt =
        new PublishReceipt(outbound.destination(), prepared.id(), null, -1, false);
    prepared.send().end(receipt);
    return CompletableFuture.completedFuture(receipt);
  }

  /** A reply to a request: a send to a temporary inbox in the requester's conversation. */
  void reply(String replyTo, byte[] payload, String conversationId) {
    Prepared prepared = prepare(OutboundMessage.of(replyTo, payload), null, conversationId, true);
    try {
      connection.publish(prepared.message());
    } catch (RuntimeException e) {
      prepared.send().fail(e);
      throw e;
    }
    prepared.send().end(null);
  }

  CompletableFuture<Message> request(OutboundMessage outbound, Duration timeout) {
    String id = outbound.id() == null ? MessagingEngine.newMessageId() : outbound.id();
    Prepared prepared = prepare(outbound.withId(id), null, id, false);
    Send send = prepared.send();
    CompletableFuture<io.nats.client.Message> pending;
    try {
      // jnats notices a timeout only on its cleanup timer (seconds later): the engine enforces
      // ours.
      pending = connection.requestWithTimeout(prepared.message(), timeout);
    } catch (RuntimeException e) {
      send.fail(e);
      throw e;
    }
    return send.awaitReply(
        pending,
        timeout,
        reply ->
            Delivery.of(
                    reply.getSubject(),
                    "",
                    NatsHeaders.last(reply.getHeaders(), NatsHeaders.MSG_ID),
                    payload(reply))
                .withTemporary(inboxTemplate),
        io.nats.client.Message::getHeaders,
        NatsHeaders.GETTER);
  }

  static byte[] payload(io.nats.client.Message message) {
    byte[] data = message.getData();
    return data == null ? new byte[0] : data;
  }

  private int baggageBudget(int payloadBytes, Headers headers) {
    long max = connection.getMaxPayload();
    if (max <= 0) {
      return -1;
    }
    long left = max - payloadBytes - NatsHeaders.wireSize(headers) - RESERVED_HEADER_BYTES;
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
  }

  /** server.address and server.port of the server the connection uses now; never credentials. */
  Attributes serverAttributes() {
    String url = connection.getConnectedUrl();
    ServerAttributes cached = server.get();
    if (cached != null && cached.url.equals(url)) {
      return cached.attributes;
    }
    Attributes attributes = Attributes.empty();
    if (url != null) {
      URI uri = hostAndPort(url);
      if (uri != null) {
        attributes =
            Attributes.of(SERVER_ADDRESS, uri.getHost(), SERVER_PORT, (long) uri.getPort());
      }
      server.set(new ServerAttributes(url, attributes));
    }
    return attributes;
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

  private record ServerAttributes(String url, Attributes attributes) {}
}
