/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every event, for assertions. Thread-safe. */
public final class RecordingListener implements TransportListener {

  /** Every {@link Sent} event, in order. */
  public final List<Sent> sent = new CopyOnWriteArrayList<>();

  /** Every {@link Received} event, in order. */
  public final List<Received> received = new CopyOnWriteArrayList<>();

  /** Every {@link Processed} event, in order. */
  public final List<Processed> processed = new CopyOnWriteArrayList<>();

  /** Every {@link Backlog} event, in order. */
  public final List<Backlog> backlog = new CopyOnWriteArrayList<>();

  /** Every {@link QueueDepth} event, in order. */
  public final List<QueueDepth> queueDepth = new CopyOnWriteArrayList<>();

  /** Every {@link SubscriptionChange} event, in order. */
  public final List<SubscriptionChange> subscriptions = new CopyOnWriteArrayList<>();

  /** Every {@link ConnectionChange} event, in order. */
  public final List<ConnectionChange> connection = new CopyOnWriteArrayList<>();

  /** Every {@link RejectedContext} event, in order. */
  public final List<RejectedContext> rejected = new CopyOnWriteArrayList<>();

  /** Every {@link TelemetryFailure} event, in order. */
  public final List<TelemetryFailure> failures = new CopyOnWriteArrayList<>();

  /** Every {@link PermissionChange} event, in order. */
  public final List<PermissionChange> permissions = new CopyOnWriteArrayList<>();

  @Override
  public void onSent(Sent event) {
    sent.add(event);
  }

  @Override
  public void onReceived(Received event) {
    received.add(event);
  }

  @Override
  public void onProcessed(Processed event) {
    processed.add(event);
  }

  @Override
  public void onBacklog(Backlog event) {
    backlog.add(event);
  }

  @Override
  public void onQueueDepth(QueueDepth event) {
    queueDepth.add(event);
  }

  @Override
  public void onSubscription(SubscriptionChange event) {
    subscriptions.add(event);
  }

  @Override
  public void onConnection(ConnectionChange event) {
    connection.add(event);
  }

  @Override
  public void onRejectedContext(RejectedContext event) {
    rejected.add(event);
  }

  @Override
  public void onTelemetryFailure(TelemetryFailure event) {
    failures.add(event);
  }

  @Override
  public void onPermission(PermissionChange event) {
    permissions.add(event);
  }

  /** {@return the inbound rejection reasons seen, in order} */
  public List<RejectionReason> inboundReasons() {
    return rejected.stream().filter(RejectedContext::inbound).map(RejectedContext::reason).toList();
  }
}
