/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.impl.Headers;
import io.nats.client.support.IncomingHeadersProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's outgoing NATS headers keep traceparent and Baton's header as bytes outside jnats'
 * maps: what goes on the wire must be what jnats would write for the same entries, and every other
 * way of looking at them must see plain headers.
 */
class OutgoingHeadersTest {

  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String BATON = "1;1733250000000;0af7651916cd43dd8448eb211c80319c";

  private final NatsWire wire = new NatsWire(null);

  private Headers engineBuilt() {
    Headers headers = wire.newHeaders();
    wire.set(headers, "x-tenant", "acme");
    wire.setAscii(headers, "traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
    wire.set(headers, "baggage", "user=alice");
    wire.setAscii(headers, "baton", BATON.getBytes(StandardCharsets.US_ASCII));
    return headers;
  }

  private static Map<String, List<String>> parsed(byte[] serialized) {
    return new IncomingHeadersProcessor(serialized).getHeaders().toMap();
  }

  @Test
  void writesWhatJnatsWritesForTheSameEntries() {
    Headers plain =
        new Headers()
            .put("x-tenant", "acme")
            .put("traceparent", TRACEPARENT)
            .put("baggage", "user=alice")
            .put("baton", BATON);
    Headers headers = engineBuilt();

    assertThat(headers.isEmpty()).isFalse();
    assertThat(headers.serializedLength()).isEqualTo(plain.serializedLength());
    // Into the middle of a bigger buffer, as jnats writes a message: nothing outside is touched.
    byte[] buffer = new byte[headers.serializedLength() + 10];
    buffer[4] = 7;
    buffer[buffer.length - 1] = 9;
    int written = headers.serializeToArray(5, buffer);
    assertThat(written).isEqualTo(plain.serializedLength());
    assertThat(buffer[4]).isEqualTo((byte) 7);
    assertThat(buffer[buffer.length - 1]).isEqualTo((byte) 9);
    byte[] wrote = java.util.Arrays.copyOfRange(buffer, 5, 5 + written);
    assertThat(parsed(wrote)).isEqualTo(parsed(plain.getSerialized()));
    assertThat(parsed(headers.getSerialized())).isEqualTo(parsed(plain.getSerialized()));
    assertThat(new String(wrote, StandardCharsets.US_ASCII)).endsWith("\r\n\r\n");
  }

  @Test
  void onlyBytesAreNotEmpty() {
    Headers headers = wire.newHeaders();
    assertThat(headers.isEmpty()).isTrue();
    wire.setAscii(headers, "traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
    assertThat(headers.isEmpty()).isFalse();
    assertThat(parsed(headers.getSerialized()))
        .isEqualTo(Map.of("traceparent", List.of(TRACEPARENT)));
  }

  @Test
  void everyOtherLookSeesPlainHeaders() {
    Headers headers = engineBuilt();
    byte[] before = headers.getSerialized();

    assertThat(headers.getLast("traceparent")).isEqualTo(TRACEPARENT);
    assertThat(headers.get("baton")).containsExactly(BATON);
    assertThat(headers.keySet())
        .containsExactlyInAnyOrder("x-tenant", "traceparent", "baggage", "baton");
    assertThat(headers.size()).isEqualTo(4);
    assertThat(wire.last(headers, "traceparent")).isEqualTo(TRACEPARENT);
    // Once spilled, the wire form is unchanged.
    assertThat(parsed(headers.getSerialized())).isEqualTo(parsed(before));
    assertThat(headers.serializedLength()).isEqualTo(before.length);
    // A copy (jnats' own copy constructor reads the maps) holds every entry.
    assertThat(parsed(new Headers(headers).getSerialized())).isEqualTo(parsed(before));
  }

  @Test
  void aKeyIsReplacedNeverRepeated() {
    Headers headers = wire.newHeaders();
    wire.set(headers, "traceparent", "from-the-caller");
    wire.setAscii(headers, "traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
    wire.setAscii(headers, "baton", "old".getBytes(StandardCharsets.US_ASCII));
    wire.setAscii(headers, "baton", BATON.getBytes(StandardCharsets.US_ASCII));
    // A third value as bytes goes to the maps; a string over a bytes value replaces it.
    wire.setAscii(headers, "tracestate", "a=b".getBytes(StandardCharsets.US_ASCII));
    wire.set(headers, "baton", "new");
    wire.setAscii(headers, "x-more", "c".getBytes(StandardCharsets.US_ASCII));

    assertThat(parsed(headers.getSerialized()))
        .isEqualTo(
            Map.of(
                "traceparent", List.of(TRACEPARENT),
                "baton", List.of("new"),
                "tracestate", List.of("a=b"),
                "x-more", List.of("c")));
    assertThat(wire.repeated(headers, "traceparent")).isFalse();
  }
}
