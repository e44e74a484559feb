/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The data port's walk of the server's protocol, however the socket splits it: header bytes jnats
 * cannot hold are replaced, everything else (control lines, payloads, even payload bytes that look
 * like protocol or are not ASCII) passes unchanged.
 */
class SafeHeadersDataPortTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String hmsg(String subject, String headers, String payload) {
    return "HMSG "
        + subject
        + " 1 "
        + headers.length()
        + " "
        + (headers.length() + payload.length())
        + "\r\n"
        + headers
        + payload
        + "\r\n";
  }

  // What the server sends: an INFO, a PING, messages with and without headers and with a reply,
  // payloads holding protocol-like and non-ASCII bytes, hostile headers.
  private static final String STREAM =
      "INFO {\"server_id\":\"x\",\"headers\":true}\r\n"
          + "PING\r\n"
          + "MSG plain 1 12\r\nHMSG\u00e9\r\n\r\n\u00ff\u00e9!\r\n"
          + hmsg("a", "NATS/1.0\r\nx-bad: caf\u00c3\u00a9\r\n\r\n", "p\u00e9\r\nHMSG a 1 2 3\r\n")
          + "+OK\r\n"
          + "HMSG b 1 reply.to "
          + "NATS/1.0\r\nk\u00e9y: v\r\nx-lf: a\nb\r\nx-cr: a\rb\r\n\r\n".length()
          + " "
          + ("NATS/1.0\r\nk\u00e9y: v\r\nx-lf: a\nb\r\nx-cr: a\rb\r\n\r\n".length() + 2)
          + "\r\nNATS/1.0\r\nk\u00e9y: v\r\nx-lf: a\nb\r\nx-cr: a\rb\r\n\r\nok\r\n"
          + hmsg("c", "NATS/1.0 503\r\n\r\n", "")
          + hmsg("d", "NATS/1.0\r\nx-fine: yes\r\n\r\n", "\u0080")
          + "PONG\r\n";

  private static final String EXPECTED =
      "INFO {\"server_id\":\"x\",\"headers\":true}\r\n"
          + "PING\r\n"
          + "MSG plain 1 12\r\nHMSG\u00e9\r\n\r\n\u00ff\u00e9!\r\n"
          + hmsg("a", "NATS/1.0\r\nx-bad: caf??\r\n\r\n", "p\u00e9\r\nHMSG a 1 2 3\r\n")
          + "+OK\r\n"
          + "HMSG b 1 reply.to "
          + "NATS/1.0\r\nk\u00e9y: v\r\nx-lf: a\nb\r\nx-cr: a\rb\r\n\r\n".length()
          + " "
          + ("NATS/1.0\r\nk\u00e9y: v\r\nx-lf: a\nb\r\nx-cr: a\rb\r\n\r\n".length() + 2)
          + "\r\nNATS/1.0\r\nk_y: v\r\nx-lf: a b\r\nx-cr: a b\r\n\r\nok\r\n"
          + hmsg("c", "NATS/1.0 503\r\n\r\n", "")
          + hmsg("d", "NATS/1.0\r\nx-fine: yes\r\n\r\n", "\u0080")
          + "PONG\r\n";

  /** An input stream that hands out at most {@code chunk} bytes a read, as a socket may. */
  private static final class Chunked extends InputStream {
    private final byte[] data;
    private final int chunk;
    private int at;

    Chunked(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public int read() {
      return at < data.length ? data[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (at >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, chunk), data.length - at);
      System.arraycopy(data, at, b, off, n);
      at += n;
      return n;
    }
  }

  private static String through(int chunk, int bufferSize) throws IOException {
    SafeHeadersDataPort port = new SafeHeadersDataPort();
    port.readFrom(new Chunked(bytes(STREAM), chunk));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[bufferSize];
    int n;
    int zeros = 0;
    while ((n = port.read(buffer, 0, buffer.length)) >= 0) {
      out.write(buffer, 0, n);
      zeros = n == 0 ? zeros + 1 : 0;
      assertThat(zeros).as("reads that return nothing in a row").isLessThan(3);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void repairsHeadersAndPassesEverythingElseHoweverTheStreamIsSplit() throws IOException {
    for (int chunk = 1; chunk <= STREAM.length(); chunk++) {
      assertThat(through(chunk, 64 * 1024)).as("chunks of %d bytes", chunk).isEqualTo(EXPECTED);
    }
    for (int buffer = 1; buffer <= 64; buffer++) {
      assertThat(through(STREAM.length(), buffer))
          .as("reads of %d bytes", buffer)
          .isEqualTo(EXPECTED);
    }
  }
}
