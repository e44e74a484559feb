/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

import java.util.Objects;

/**
 * A request's responder did not handle it: the responder's Baton refused the request by its
 * conversation policy and answered with the reason ({@code baton-refused} on the reply). Completes
 * the requester's future; the request is not retried by Baton.
 */
public final class RefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why the responder refused. */
  private final String reason;

  /**
   * A refusal for {@code reason}, as the responder named it ({@code conversation_required}).
   *
   * @param destination where the request went
   * @param reason the responder's reason
   */
  public RefusedException(String destination, String reason) {
    super("the responder on " + destination + " refused the request: " + reason);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** {@return why the responder refused, a short low-cardinality name} */
  public String reason() {
    return reason;
  }
}
