/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.lag;

import dev.baton.transport.internal.BatonVersion;
import dev.baton.transport.internal.Redaction;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code baton-lag}: consumer lag read from the brokers with no agent running, served as Baton's
 * lag meters with {@code source="broker"} on {@code /metrics}, with {@code /health}. Run {@code
 * java -jar baton-lag.jar --help}.
 */
public final class LagMain {

  private LagMain() {}

  /**
   * Runs until the process is stopped (exit 143 on SIGTERM, after closing). Exits 2 on a bad
   * command line, with what to change on standard error, and 3 when it cannot start (a taken port,
   * say).
   *
   * @param args the command line (see {@code --help})
   * @throws Exception when the tool cannot start
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    LagConfig config;
    try {
      config = LagConfig.parse(List.of(args));
    } catch (LagConfig.HelpRequested e) {
      out.print(LagConfig.USAGE);
      return;
    } catch (LagConfig.VersionRequested e) {
      out.println("baton-lag " + BatonVersion.get());
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("baton-lag: " + e.getMessage());
      System.exit(2);
      return;
    }
    BatonLag lag;
    try {
      lag = BatonLag.start(config);
    } catch (Exception e) {
      System.err.println("baton-lag: could not start: " + Redaction.describe(e));
      System.exit(3);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    lag.close();
                  } catch (Exception e) {
                    System.err.println("baton-lag: closing: " + e);
                  }
                  stopped.countDown();
                },
                "baton-lag-shutdown"));
    out.println(
        "baton-lag: reading "
            + lag.describe()
            + " every "
            + config.interval().toMillis()
            + " ms; /metrics and /health on http://"
            + config.listen()
            + ":"
            + lag.port());
    stopped.await();
  }
}
