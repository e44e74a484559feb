/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport;

/**
 * Agent code that answers a request. The returned bytes are sent to the requester as the reply, in
 * the same trace. Throwing sends no reply (the requester times out) and records the error.
 */
@FunctionalInterface
public interface Responder {

  /**
   * Answers one request. Called on the subscription's delivery thread.
   *
   * @param request the request
   * @return the reply's payload
   * @throws Exception to fail the request: the requester's future completes exceptionally
   */
  byte[] respond(Message request) throws Exception;
}
