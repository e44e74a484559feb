package dev.baton.propagation.spi;

import dev.baton.transport.Outcome;

/**
 * A transport's way to settle one delivery with the broker. Exceptions are the broker client's own.
 */
public interface Settler {

  /** Acknowledges the message. */
  void ack() throws Exception;

  /** Negatively acknowledges the message, asking for redelivery. */
  void nak() throws Exception;

  /**
   * How a failed delivery ended, asked after {@link #nak()}: {@link Outcome#NAK} (redelivered) by
   * default, {@link Outcome#DEAD_LETTERED} when the transport gave up on the message.
   */
  default Outcome failureOutcome() {
    return Outcome.NAK;
  }

  /** For brokers without acknowledgements. */
  static Settler none() {
    return NoSettle.INSTANCE;
  }
}

final class NoSettle implements Settler {
  static final NoSettle INSTANCE = new NoSettle();

  @Override
  public void ack() {}

  @Override
  public void nak() {}
}
