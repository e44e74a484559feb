/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Send;
import dev.baton.propagation.spi.SendOptions;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A received {@link Message} reads its headers and the id inside Baton's header only when asked:
 * what it reads is exactly what was sent, it equals a message built from the same parts, and a
 * message built by hand checks its arguments as the record did.
 */
class ReceivedMessageTest {

  private final Baton baton = Baton.builder(OpenTelemetry.noop()).setAgentName("a").build();
  private final MessagingEngine<Map<String, List<String>>> engine =
      MessagingEngine.create(baton, MapHeaders.WIRE);

  private Message receive(Send<Map<String, List<String>>> send, byte[] payload) throws Exception {
    AtomicReference<Message> seen = new AtomicReference<>();
    engine.deliver(
        Delivery.of("orders", "g", payload, "replies", 2, null, false, null),
        send.headers(),
        seen::set,
        Settler.none());
    return seen.get();
  }

  @Test
  void aGeneratedIdIsReadFromBatonsHeaderAndEqualsTheSendersId() throws Exception {
    byte[] payload = new byte[] {1, 2, 3};
    Send<Map<String, List<String>>> send =
        engine.startSend(
            OutboundMessage.of("orders", payload).withHeader("tenant", "acme"),
            SendOptions.PUBLISH);
    send.end(null);

    Message message = receive(send, payload);

    String batonHeader = send.headers().get("baton").get(0);
    String idInHeader = batonHeader.split(";")[2];
    assertThat(message.id()).isEqualTo(idInHeader).isEqualTo(send.id()).matches("[0-9a-f]{32}");
    assertThat(message.id()).as("made once, then kept").isSameAs(message.id());
    assertThat(message.headers())
        .containsEntry("tenant", "acme")
        .containsEntry("baton", batonHeader)
        .hasSize(2); // no traceparent: OpenTelemetry's no-op API makes no valid context
    assertThat(message.headers()).as("made once, then kept").isSameAs(message.headers());
    assertThat(message.sender()).isEqualTo("a");
    assertThat(message.replyTo()).isEqualTo("replies");
    assertThat(message.deliveryCount()).isEqualTo(2);
    assertThat(message.isRedelivery()).isTrue();
    assertThat(message.payload()).isSameAs(payload);
    assertThat(message.toString())
        .isEqualTo(
            "Message[destination=orders, id="
                + idInHeader
                + ", sender=a, bytes=3, deliveryCount=2]");

    Message byHand =
        new Message(
            "orders", Map.copyOf(message.headers()), payload, idInHeader, "a", "replies", 2);
    assertThat(message).isEqualTo(byHand).hasSameHashCodeAs(byHand);
    assertThat(byHand).isEqualTo(message);
    assertThat(message)
        .isNotEqualTo(new Message("orders", byHand.headers(), payload, "other", "a", "replies", 2));
  }

  @Test
  void aCallersIdTravelsAsItWasGiven() throws Exception {
    Send<Map<String, List<String>>> send =
        engine.startSend(
            OutboundMessage.of("orders", new byte[0]).withId("order-17"), SendOptions.PUBLISH);
    send.end(null);

    assertThat(receive(send, new byte[0]).id()).isEqualTo("order-17");
  }

  @Test
  void aMessageWithoutBatonsHeaderGetsAnIdOfItsOwn() throws Exception {
    Map<String, List<String>> headers = new HashMap<>();
    headers.put("tenant", new ArrayList<>(List.of("acme")));
    AtomicReference<Message> seen = new AtomicReference<>();
    engine.deliver(Delivery.of("orders", "g", new byte[0]), headers, seen::set, Settler.none());

    Message message = seen.get();
    assertThat(message.id()).isNotEmpty().isSameAs(message.id());
    assertThat(message.headers()).containsExactly(Map.entry("tenant", "acme"));
    assertThat(message.sender()).isNull();
  }

  @Test
  void aMessageBuiltByHandChecksItsArguments() {
    Map<String, String> headers = new HashMap<>(Map.of("k", "v"));
    Message message = new Message("d", headers, new byte[0], "id-1", null, null, 1);
    headers.put("k", "changed");
    assertThat(message.headers()).containsExactly(Map.entry("k", "v"));
    assertThatThrownBy(() -> message.headers().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> new Message("d", Map.of(), new byte[0], null, null, null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("id");
    assertThatThrownBy(() -> new Message(null, Map.of(), new byte[0], "i", null, null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("destination");
    assertThatThrownBy(() -> new Message("d", Map.of(), new byte[0], "i", null, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deliveryCount");
  }
}
