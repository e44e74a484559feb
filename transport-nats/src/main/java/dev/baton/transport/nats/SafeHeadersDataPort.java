/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import io.nats.client.Connection;
import io.nats.client.impl.SocketDataPortWithWriteTimeout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * jnats' socket, with every header the server delivers made readable before jnats parses it.
 *
 * <p>jnats' reader stops for good on a header it cannot hold (a byte outside US-ASCII in a value, a
 * key outside printable ASCII, a lone CR or LF: nats.java issues 1315 and 1316), and every message
 * behind it on the connection is lost until a reconnect. A peer in another language can send such a
 * header. With this data port, such bytes are replaced in place, before jnats reads them — a
 * value's byte above 0x7E by {@code ?}, a key's byte outside 0x21–0x7E by {@code _}, a lone CR or
 * LF by a space — so the message reaches its handler, with the rest of its headers and its payload
 * untouched, and the messages behind it follow. Each message changed this way is counted and {@link
 * NatsBaton} reports it as a telemetry failure {@code header} with the reason.
 *
 * <p>Use it as the connection's data port (jnats creates it by name):
 *
 * <pre>{@code
 * Connection connection = Nats.connect(new Options.Builder()
 *     .server(url)
 *     .dataPortType(SafeHeadersDataPort.class.getName())
 *     .build());
 * }</pre>
 *
 * <p>It reads the server's protocol as it passes (each {@code HMSG}'s header length from its
 * control line; payloads are skipped by their length, never scanned) and keeps jnats' default
 * socket, TLS and write timeout. Not for WebSocket connections. One per connection; used by jnats'
 * reader thread only.
 */
public class SafeHeadersDataPort extends SocketDataPortWithWriteTimeout {

  private static final Map<Connection, AtomicLong> REPAIRED = new WeakHashMap<>();

  /**
   * The reason a repaired message is reported with: a header held bytes jnats cannot read, and they
   * were replaced before it read them; the message was delivered.
   */
  static final class HeaderBytesReplaced extends RuntimeException {
    static final HeaderBytesReplaced INSTANCE = new HeaderBytesReplaced();

    private HeaderBytesReplaced() {
      super(
          "a message's header held bytes jnats cannot read (outside US-ASCII in a value, outside"
              + " printable ASCII in a key, or a lone CR or LF): SafeHeadersDataPort replaced them"
              + " before jnats read it, and the message was delivered",
          null,
          false,
          false);
    }
  }

  private static final int MAX_CONTROL_LINE = 8192;

  private enum State {
    CONTROL,
    HEADERS,
    PAYLOAD
  }

  private State state = State.CONTROL;
  private final byte[] line = new byte[MAX_CONTROL_LINE];
  private int lineLength;
  private boolean lineTooLong;
  private long headerLeft;
  private long payloadLeft;
  private boolean statusLine;
  private boolean inKey;
  private boolean afterCr;
  private boolean messageRepaired;
  private int held = -1; // a byte read but not yet handed out: a header CR waiting, or read ahead
  private final byte[] ahead = new byte[1];
  private boolean ended;

  /** Created by jnats, by name, for each connection attempt. */
  public SafeHeadersDataPort() {}

  /**
   * {@return how many messages on {@code connection} had header bytes replaced so far; 0 for a
   * connection without this data port}
   *
   * @param connection a NATS connection
   */
  public static long repairedMessages(Connection connection) {
    synchronized (REPAIRED) {
      AtomicLong count = REPAIRED.get(connection);
      return count == null ? 0 : count.get();
    }
  }

  /** Reads from {@code stream} instead of a socket (for tests of the protocol walk). */
  void readFrom(java.io.InputStream stream) {
    this.in = stream;
  }

  /**
   * {@return whether {@code connection} reads through this data port}
   *
   * @param connection a NATS connection
   */
  public static boolean protects(Connection connection) {
    return SafeHeadersDataPort.class.getName().equals(connection.getOptions().getDataPortType());
  }

  @Override
  public int read(byte[] dst, int off, int len) throws IOException {
    if (len <= 0) {
      return super.read(dst, off, len);
    }
    int filled = 0;
    if (held >= 0) {
      dst[off] = (byte) held;
      held = -1;
      filled = 1;
    }
    if (filled < len) {
      int n = super.read(dst, off + filled, len - filled);
      if (n < 0) {
        ended = true;
        if (filled == 0) {
          return n;
        }
      } else {
        filled += n;
      }
    }
    return filled == 0 ? 0 : scan(dst, off, filled);
  }

  /**
   * Walks {@code count} bytes at {@code off}, repairing header bytes in place; returns how many
   * jnats may have now: all, or all but a last CR held back until the byte after it is known.
   */
  private int scan(byte[] buf, int off, int count) throws IOException {
    int end = off + count;
    for (int i = off; i < end; i++) {
      switch (state) {
        case CONTROL -> control(buf[i]);
        case HEADERS -> {
          if (headerByte(buf, i, end, off)) {
            return i - off; // buf[i] is held back for the next read
          }
        }
        case PAYLOAD -> {
          long skip = Math.min(payloadLeft, end - i);
          payloadLeft -= skip;
          i += (int) skip - 1;
          if (payloadLeft == 0) {
            state = State.CONTROL;
          }
        }
      }
    }
    return count;
  }

  /**
   * The byte after a header CR that ends the buffer: -1 at the end of the stream, -2 when it has
   * not come yet and the CR can wait for it (it is not the buffer's only byte).
   */
  private int nextAfterLast(boolean onlyByte) throws IOException {
    if (ended) {
      return -1;
    }
    if (!onlyByte) {
      return -2;
    }
    // A one-byte read that holds only the CR: read one byte ahead, to be handed out next.
    int n = super.read(ahead, 0, 1);
    if (n < 0) {
      ended = true;
      return -1;
    }
    if (n == 0) {
      return -1; // nothing came: the CR goes as it is
    }
    held = ahead[0] & 0xff;
    return held;
  }

  private void control(byte b) {
    if (b == '\n') {
      controlLine();
      lineLength = 0;
      lineTooLong = false;
      return;
    }
    if (lineLength < line.length) {
      line[lineLength++] = b;
    } else {
      lineTooLong = true;
    }
  }

  /** {@code MSG <subject> <sid> [reply] <size>} or {@code HMSG ... <header size> <total size>}. */
  private void controlLine() {
    if (lineTooLong || lineLength < 4) {
      return;
    }
    boolean hmsg = startsWith("HMSG ");
    boolean msg = !hmsg && startsWith("MSG ");
    if (!hmsg && !msg) {
      return;
    }
    int end = lineLength;
    if (end > 0 && line[end - 1] == '\r') {
      end--;
    }
    int lastStart = lastTokenStart(end);
    long last = number(lastStart, end);
    if (last < 0) {
      return;
    }
    if (msg) {
      payloadLeft = last + 2;
      state = State.PAYLOAD;
      return;
    }
    int headerEnd = lastStart - 1;
    while (headerEnd > 0 && line[headerEnd - 1] == ' ') {
      headerEnd--;
    }
    long headers = number(lastTokenStart(headerEnd), headerEnd);
    if (headers < 0 || headers > last) {
      return;
    }
    headerLeft = headers;
    payloadLeft = last - headers + 2;
    statusLine = true;
    inKey = false;
    afterCr = false;
    messageRepaired = false;
    state = headers == 0 ? State.PAYLOAD : State.HEADERS;
  }

  /**
   * One byte of a header block, repaired in place; true when it is a CR held back because the byte
   * after it has not arrived.
   */
  private boolean headerByte(byte[] buf, int i, int end, int off) throws IOException {
    int b = buf[i] & 0xff;
    if (b == '\r') {
      if (headerLeft > 1) {
        int next = i + 1 < end ? buf[i + 1] & 0xff : nextAfterLast(i == off);
        if (next == -2) {
          held = b;
          return true;
        }
        if (next >= 0 && next != '\n') {
          buf[i] = ' '; // a lone CR
          repaired();
          afterCr = false;
          return advance();
        }
      }
      afterCr = true;
      return advance();
    }
    if (b == '\n') {
      if (!afterCr) {
        buf[i] = ' '; // a lone LF
        repaired();
      } else {
        // the end of a header line: the next begins with a key
        statusLine = false;
        inKey = true;
      }
      afterCr = false;
      return advance();
    }
    afterCr = false;
    if (inKey) {
      if (b == ':') {
        inKey = false;
      } else if (b < 0x21 || b > 0x7e) {
        buf[i] = '_';
        repaired();
      }
    } else if (b > 0x7e) {
      buf[i] = '?';
      repaired();
    }
    return advance();
  }

  /** Counts the byte against the header block; false (never held back). */
  private boolean advance() {
    if (--headerLeft == 0) {
      if (messageRepaired) {
        count();
      }
      state = State.PAYLOAD;
    }
    return false;
  }

  private void repaired() {
    messageRepaired = true;
  }

  private void count() {
    Connection owner = connection;
    if (owner == null) {
      return;
    }
    synchronized (REPAIRED) {
      REPAIRED.computeIfAbsent(owner, c -> new AtomicLong()).incrementAndGet();
    }
  }

  private boolean startsWith(String op) {
    byte[] bytes = op.getBytes(StandardCharsets.US_ASCII);
    if (lineLength < bytes.length) {
      return false;
    }
    for (int i = 0; i < bytes.length; i++) {
      int c = line[i];
      if (c >= 'a' && c <= 'z') {
        c -= 32;
      }
      if (c != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  private int lastTokenStart(int end) {
    int i = end;
    while (i > 0 && line[i - 1] != ' ' && line[i - 1] != '\t') {
      i--;
    }
    return i;
  }

  private long number(int from, int to) {
    if (from >= to || to - from > 18) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int d = line[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      value = value * 10 + d;
    }
    return value;
  }
}
