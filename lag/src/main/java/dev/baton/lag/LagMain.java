package dev.baton.lag;

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

  /** Runs until the process is stopped. Exits 2 on a bad command line. */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    LagConfig config;
    try {
      config = LagConfig.parse(List.of(args));
    } catch (LagConfig.HelpRequested e) {
      out.print(LagConfig.USAGE);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("baton-lag: " + e.getMessage());
      System.exit(2);
      return;
    }
    BatonLag lag = BatonLag.start(config);
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
