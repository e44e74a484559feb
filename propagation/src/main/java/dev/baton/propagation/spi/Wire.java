package dev.baton.propagation.spi;

/**
 * What the engine needs to know about one broker's messages: its name, its header type and where a
 * message id travels when it cannot ride in Baton's own header. A transport implements it once; the
 * engine does everything else. Implementations are stateless or immutable, and thread-safe.
 *
 * @param <H> the broker's header type
 */
public interface Wire<H> extends HeaderGetter<H>, HeaderSetter<H> {

  /** The messaging system ({@code messaging.system}): {@code nats}, {@code kafka}. */
  String system();

  /** New, empty, writable headers for an outgoing message. */
  H newHeaders();

  /**
   * The header that carries a message id the broker itself uses (JetStream's {@code Nats-Msg-Id})
   * or one that cannot travel in Baton's header; read when Baton's header has no id.
   */
  String idHeader();

  /**
   * How many bytes the {@code baggage} header may take on a message with these headers and a
   * payload of {@code payloadBytes}, or -1 for no limit beyond the baggage policy. Asked only when
   * there is baggage to send.
   */
  default int baggageRoom(H headers, int payloadBytes) {
    return -1;
  }
}
