/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.health.HealthCheck;
import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;
import dev.baton.transport.internal.Redaction;
import dev.baton.transport.nats.NatsBaton;
import dev.baton.transport.nats.NatsErrorListener;
import dev.baton.transport.nats.NatsHealthCheck;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;

/** The swarm on NATS: core subjects, and a JetStream stream for the durable path. */
final class NatsBackplane implements Backplane {

  static final String STREAM = "BATON_DEMO";

  private final Connection connection;
  private final String url;

  NatsBackplane(String url) throws IOException, InterruptedException, JetStreamApiException {
    this.url = url;
    this.connection =
        Nats.connect(
            Options.builder()
                .server(url)
                .connectionTimeout(Duration.ofSeconds(5))
                .reconnectWait(Duration.ofMillis(250))
                .reconnectJitter(Duration.ofMillis(50))
                .maxReconnects(-1)
                .errorListener(NatsErrorListener.create())
                .build());
    JetStreamManagement jsm = connection.jetStreamManagement();
    StreamConfiguration stream =
        StreamConfiguration.builder()
            .name(STREAM)
            .subjects(Roles.DURABLE)
            .maxAge(Duration.ofHours(1))
            .build();
    StreamInfo existing = existingStream(jsm);
    if (existing == null) {
      jsm.addStream(stream);
    } else if (!existing.getConfiguration().getSubjects().containsAll(Roles.DURABLE)) {
      jsm.updateStream(stream);
    }
    // An existing stream with the subjects is used as it is: an administrator may have made it
    // for an account that may not create or change streams (see the README's permissions).
  }

  private static StreamInfo existingStream(JetStreamManagement jsm)
      throws IOException, JetStreamApiException {
    try {
      return jsm.getStreamInfo(STREAM);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == 10059) { // stream not found
        return null;
      }
      throw e;
    }
  }

  @Override
  public String describe() {
    return "NATS at "
        + Redaction.redact(url)
        + " (JetStream stream "
        + STREAM
        + " for the durable path)";
  }

  @Override
  public Transport transport(Baton baton) {
    return NatsBaton.builder(baton, connection)
        .setBacklogInterval(Duration.ofSeconds(2))
        .setMaxDeliveries(6) // as many attempts as the Kafka backplane's retry(5)
        .setStream(STREAM) // the minimal account may not ask JetStream for stream names
        .build();
  }

  @Override
  public HealthCheck healthCheck() {
    return NatsHealthCheck.builder(connection).setJetStream(true).build();
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
