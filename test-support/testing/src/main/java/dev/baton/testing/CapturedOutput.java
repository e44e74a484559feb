/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Everything a test process writes while it is open: standard output and error (still written
 * through, so the build log shows them) and every {@code java.util.logging} record, formatted with
 * its stack trace. For assertions that a secret never reaches a log. Close it to restore the
 * streams.
 */
public final class CapturedOutput implements AutoCloseable {

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;
  private final Handler julHandler;

  private CapturedOutput() {
    System.setOut(tee(out));
    System.setErr(tee(err));
    SimpleFormatter formatter = new SimpleFormatter();
    julHandler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            write(formatter.format(record));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    julHandler.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(julHandler);
  }

  /**
   * Starts capturing.
   *
   * @return the capture; close it to stop capturing and restore the streams
   */
  public static CapturedOutput start() {
    return new CapturedOutput();
  }

  /** {@return what was written so far} */
  public String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  private void write(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    synchronized (captured) {
      captured.write(bytes, 0, bytes.length);
    }
  }

  private PrintStream tee(PrintStream target) {
    return new PrintStream(
        new OutputStream() {
          @Override
          public void write(int b) {
            target.write(b);
            synchronized (captured) {
              captured.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) {
            target.write(b, off, len);
            synchronized (captured) {
              captured.write(b, off, len);
            }
          }
        },
        true,
        StandardCharsets.UTF_8);
  }

  /** Restores the streams and removes the handler. */
  @Override
  public void close() {
    System.setOut(out);
    System.setErr(err);
    Logger.getLogger("").removeHandler(julHandler);
  }
}
