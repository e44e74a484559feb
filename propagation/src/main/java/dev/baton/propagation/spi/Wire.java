package dev.baton.propagation.spi;

/**
 * What the engine needs to know about one broker's messages: its name, its header type and where a
 * message id travels when it cannot ride in Baton's own header. A transport implements it once; the
 * engine does everything else. Implementations are stateless or immutable, and thread-safe.
 *
 * @param <H> the broker's header type
 */
public abstract class Wire<H> implements HeaderGetter<H>, HeaderSetter<H> {

  private final String system;
  private final String idHeader;

  /**
   * For transports: the messaging system ({@code messaging.system}: {@code nats}, {@code kafka})
   * and the header that carries a message id the broker itself uses (JetStream's {@code
   * Nats-Msg-Id}) or one that cannot travel in Baton's header.
   */
  protected Wire(String system, String idHeader) {
    this.system = java.util.Objects.requireNonNull(system, "system");
    this.idHeader = java.util.Objects.requireNonNull(idHeader, "idHeader");
  }

  /** The messaging system ({@code messaging.system}). */
  public final String system() {
    return system;
  }

  /** The id header; read when Baton's header has no id. */
  public final String idHeader() {
    return idHeader;
  }

  /** New, empty, writable headers for an outgoing message. */
  public abstract H newHeaders();

  /**
   * How many bytes the {@code baggage} header may take on a message with these headers and a
   * payload of {@code payloadBytes}, or -1 for no limit beyond the baggage policy. Asked only when
   * there is baggage to send.
   */
  public int baggageRoom(H headers, int payloadBytes) {
    return -1;
  }
}
