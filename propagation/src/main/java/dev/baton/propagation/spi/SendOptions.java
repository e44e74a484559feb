/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one send differs from a plain publish. Immutable; {@link #PUBLISH} is the common case and
 * costs nothing.
 *
 * @param conversationId the request's message id on a request or a reply, else {@code null}
 * @param destinationTemplate a low-cardinality name for a high-cardinality destination (a reply
 *     inbox, a per-agent reply topic), else {@code null}
 * @param temporary whether the destination is temporary (a reply inbox)
 * @param idInIdHeader whether the message id must travel in the transport's {@link Wire#idHeader()}
 *     (JetStream deduplicates on it) rather than in Baton's header
 */
public record SendOptions(
    @Nullable String conversationId,
    @Nullable String destinationTemplate,
    boolean temporary,
    boolean idInIdHeader) {

  /** A plain publish. */
  public static final SendOptions PUBLISH = new SendOptions(null, null, false, false);

  /** A publish whose id travels in the transport's id header. */
  public static final SendOptions PUBLISH_WITH_ID_HEADER = new SendOptions(null, null, false, true);

  /**
   * These options for a request or a reply in conversation {@code conversationId}.
   *
   * @param conversationId the conversation id
   * @return the options
   */
  public SendOptions withConversation(String conversationId) {
    return new SendOptions(
        Objects.requireNonNull(conversationId, "conversationId"),
        destinationTemplate,
        temporary,
        idInIdHeader);
  }

  /**
   * These options for a temporary destination whose low-cardinality name is {@code template}.
   *
   * @param template the low-cardinality name
   * @return the options
   */
  public SendOptions withTemporary(String template) {
    return new SendOptions(
        conversationId, Objects.requireNonNull(template, "template"), true, idInIdHeader);
  }

  /**
   * These options for a standing destination with a high-cardinality name (a per-agent reply topic)
   * whose low-cardinality name is {@code template}.
   *
   * @param template the low-cardinality name
   * @return the options
   */
  public SendOptions withTemplate(String template) {
    return new SendOptions(
        conversationId, Objects.requireNonNull(template, "template"), temporary, idInIdHeader);
  }
}
