package dev.baton.propagation;

import io.opentelemetry.api.common.Attributes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a transport tells the engine about a message it is about to send. For transport modules.
 *
 * @param destination the subject or topic
 * @param messageId the message id
 * @param payloadBytes the payload size
 * @param conversationId the request's message id on a request or a reply, else {@code null}
 * @param destinationTemplate a low-cardinality name for a high-cardinality destination (a reply
 *     inbox), else {@code null}
 * @param temporary whether the destination is temporary (a reply inbox)
 * @param baggageBudget the most bytes the transport can spare for the {@code baggage} header, or -1
 *     for no limit beyond the {@link BaggagePolicy}
 * @param attributes broker-specific span attributes
 */
public record SendSpec(
    String destination,
    String messageId,
    int payloadBytes,
    @Nullable String conversationId,
    @Nullable String destinationTemplate,
    boolean temporary,
    int baggageBudget,
    Attributes attributes) {

  /** Checks the arguments. */
  public SendSpec {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(attributes, "attributes");
  }

  /** A plain send. */
  public static SendSpec of(String destination, String messageId, int payloadBytes) {
    return new SendSpec(
        destination, messageId, payloadBytes, null, null, false, -1, Attributes.empty());
  }

  /** This spec for a request or a reply in conversation {@code conversationId}. */
  public SendSpec withConversation(String conversationId) {
    return new SendSpec(
        destination,
        messageId,
        payloadBytes,
        conversationId,
        destinationTemplate,
        temporary,
        baggageBudget,
        attributes);
  }

  /** This spec for a temporary destination whose low-cardinality name is {@code template}. */
  public SendSpec withTemporary(String template) {
    return new SendSpec(
        destination,
        messageId,
        payloadBytes,
        conversationId,
        template,
        true,
        baggageBudget,
        attributes);
  }

  /**
   * This spec for a standing destination with a high-cardinality name (a per-agent reply topic)
   * whose low-cardinality name is {@code template}; span names use the template.
   */
  public SendSpec withTemplate(String template) {
    return new SendSpec(
        destination,
        messageId,
        payloadBytes,
        conversationId,
        template,
        temporary,
        baggageBudget,
        attributes);
  }

  /** This spec with a byte budget for the baggage header. */
  public SendSpec withBaggageBudget(int bytes) {
    return new SendSpec(
        destination,
        messageId,
        payloadBytes,
        conversationId,
        destinationTemplate,
        temporary,
        bytes,
        attributes);
  }

  /** This spec with broker-specific span attributes. */
  public SendSpec withAttributes(Attributes attributes) {
    return new SendSpec(
        destination,
        messageId,
        payloadBytes,
        conversationId,
        destinationTemplate,
        temporary,
        baggageBudget,
        attributes);
  }
}
