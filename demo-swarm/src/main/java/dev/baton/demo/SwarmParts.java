package dev.baton.demo;

import dev.baton.metrics.BackplaneMetrics;
import dev.baton.transport.TransportListener;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every agent gets from the swarm.
 *
 * @param config the command line
 * @param metrics the backplane metrics every agent's Baton reports to
 * @param reconnects counts the broker coming back, as the coordinator's transport sees it (every
 *     agent's transport reports the same reconnect: one agent's count is the broker's)
 */
record SwarmParts(SwarmConfig config, BackplaneMetrics metrics, Reconnects reconnects) {

  /** Counts {@code RECONNECTED} connection events. */
  static final class Reconnects implements TransportListener {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void onConnection(ConnectionChange e) {
      if (e.event() == ConnectionEvent.RECONNECTED) {
        count.incrementAndGet();
      }
    }

    int count() {
      return count.get();
    }
  }
}
