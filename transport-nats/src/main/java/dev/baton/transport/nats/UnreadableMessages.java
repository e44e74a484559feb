/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.transport.internal.Redaction;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.impl.Headers;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * Removes the JetStream messages a consumer holds that jnats cannot read, after the connection
 * stalled on one (see {@link StallWatchdog}). Without this, the server redelivers such a message
 * after every ack wait, each delivery stops the reader again, and the messages delivered behind it
 * into the dead connection use up their deliveries with it.
 *
 * <p>It reads each message the consumer has delivered but not seen acknowledged (from the ack floor
 * to the last delivered sequence, at most {@value #MAX_SCAN}) through the JetStream API's JSON
 * reply, where headers are base64 and cannot stop the reader, and deletes those whose headers hold
 * a byte jnats rejects (outside tab and printable ASCII). Each removal is a telemetry failure
 * {@code unreadable} with the stream and sequence.
 */
final class UnreadableMessages {

  static final int MAX_SCAN = 1000;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Connection connection;
  private final Supplier<ConsumerInfo> consumer;
  private final String stream;
  private final MessagingEngine<Headers> engine;

  UnreadableMessages(
      Connection connection,
      Supplier<ConsumerInfo> consumer,
      String stream,
      MessagingEngine<Headers> engine) {
    this.connection = connection;
    this.consumer = consumer;
    this.stream = stream;
    this.engine = engine;
  }

  /** Finds and deletes the unreadable messages; returns how many it removed. Never throws. */
  int sweep() {
    int removed = 0;
    try {
      ConsumerInfo info = consumer.get();
      long from = info.getAckFloor().getStreamSequence() + 1;
      long to = Math.min(info.getDelivered().getStreamSequence(), from + MAX_SCAN - 1);
      JetStreamManagement jsm = connection.jetStreamManagement();
      for (long seq = from; seq <= to; seq++) {
        if (unreadable(seq) && jsm.deleteMessage(stream, seq)) {
          removed++;
          engine
              .events()
              .telemetryFailure(
                  "unreadable",
                  new IllegalStateException(
                      "stream '"
                          + stream
                          + "' sequence "
                          + seq
                          + ": a header the client cannot read; the message was removed"));
        }
      }
    } catch (Exception e) {
      engine
          .events()
          .telemetryFailure("unreadable", new IllegalStateException(Redaction.describe(e), e));
    }
    return removed;
  }

  /** Whether the message at {@code seq} has a header byte jnats rejects. */
  private boolean unreadable(long seq) throws Exception {
    Message reply =
        connection.request(
            "$JS.API.STREAM.MSG.GET." + stream,
            ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.US_ASCII),
            TIMEOUT);
    if (reply == null) {
      return false;
    }
    JsonValue message = JsonParser.parse(reply.getData()).map.get("message");
    if (message == null || message.map == null) {
      return false; // deleted meanwhile, or an error reply
    }
    JsonValue hdrs = message.map.get("hdrs");
    if (hdrs == null || hdrs.string == null) {
      return false;
    }
    for (byte b : Base64.getDecoder().decode(hdrs.string)) {
      int c = b & 0xff;
      if (c != '\t' && c != '\r' && c != '\n' && (c < 32 || c > 126)) {
        return true;
      }
    }
    return false;
  }
}
