/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

/**
 * Whether an agent's Baton carries a conversation id ({@link Conversation}) with the work it sends
 * and receives. Set with {@link Baton.Builder#setConversations}.
 */
public enum ConversationMode {
  /** No conversation ids: the message path costs what it costs without them (the default). */
  OFF,
  /**
   * Carries the conversation the work belongs to, and starts one where the work has none: a send
   * outside any conversation gets a new id; a received message without one (from a peer that is not
   * Baton) gets its message id as its conversation id, so a redelivery keeps it.
   */
  MINT,
  /**
   * Carries the conversation the work belongs to and starts none: a send outside any conversation
   * throws {@link IllegalStateException} (nothing is sent), and a received message without one is
   * refused ({@link dev.baton.transport.Outcome#REFUSED}, reason {@code conversation_required}).
   */
  REQUIRE
}
