/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.PublishReceipt;
import dev.baton.transport.Publisher;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A transport's publisher with the checks every transport shares written once; the transport
 * supplies its three ways to send: without waiting, with a receipt, and a request.
 */
public final class TransportPublisher implements Publisher {

  /** How a transport sends a request and completes with the reply. */
  @FunctionalInterface
  public interface Requests {
    /**
     * Sends {@code message} and completes with its reply within {@code timeout}.
     *
     * @param message the request
     * @param timeout how long to wait for the reply
     * @return a future of the reply
     */
    CompletableFuture<Message> request(OutboundMessage message, Duration timeout);
  }

  private final TransportBase transport;
  private final Consumer<OutboundMessage> forget;
  private final Function<OutboundMessage, CompletableFuture<PublishReceipt>> withReceipt;
  private final Requests requests;

  private TransportPublisher(
      TransportBase transport,
      Consumer<OutboundMessage> forget,
      Function<OutboundMessage, CompletableFuture<PublishReceipt>> withReceipt,
      Requests requests) {
    this.transport = transport;
    this.forget = forget;
    this.withReceipt = withReceipt;
    this.requests = requests;
  }

  /**
   * {@return a publisher for {@code transport}: {@code forget} sends with nobody waiting (no
   * future, no receipt is built), {@code withReceipt} completes with the broker's receipt, {@code
   * requests} sends a request}
   *
   * @param transport the transport
   * @param forget sends with nobody waiting
   * @param withReceipt sends whose caller waits for the broker's receipt
   * @param requests sends requests
   */
  public static Publisher create(
      TransportBase transport,
      Consumer<OutboundMessage> forget,
      Function<OutboundMessage, CompletableFuture<PublishReceipt>> withReceipt,
      Requests requests) {
    return new TransportPublisher(
        Objects.requireNonNull(transport, "transport"),
        Objects.requireNonNull(forget, "forget"),
        Objects.requireNonNull(withReceipt, "withReceipt"),
        Objects.requireNonNull(requests, "requests"));
  }

  @Override
  public void publish(String destination, byte[] payload) {
    forget.accept(OutboundMessage.of(destination, payload));
  }

  @Override
  public CompletableFuture<PublishReceipt> publish(OutboundMessage message) {
    return withReceipt.apply(Objects.requireNonNull(message, "message"));
  }

  @Override
  public CompletableFuture<Message> request(OutboundMessage message, Duration timeout) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(timeout, "timeout");
    transport.checkOpen();
    return requests.request(message, timeout);
  }
}
