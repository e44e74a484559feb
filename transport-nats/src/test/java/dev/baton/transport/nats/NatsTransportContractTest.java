/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.examples.TwoAgents;
import dev.baton.propagation.Baton;
import dev.baton.testing.NatsServerExtension;
import dev.baton.testing.TransportContract;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import dev.baton.transport.TransportListener;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared transport scenarios against a real nats-server. */
class NatsTransportContractTest extends TransportContract {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  /** Headers past this size would crowd the server's 1 MiB max payload. */
  private static final int MAX_HEADER_BYTES = 512 * 1024;

  @Override
  public String system() {
    return "nats";
  }

  @Override
  public void assertBacklogWhilePaused(TransportListener.Backlog backlog) {
    // JetStream: the paused handler holds messages delivered but not acknowledged
    assertThat(backlog.ackPending()).isPositive();
    assertThat(backlog.partition()).isEmpty();
  }

  @Override
  public String runReadmeExample(OpenTelemetry openTelemetry) throws Exception {
    try (Connection connection = Nats.connect(NATS.url())) {
      return TwoAgents.run(connection, openTelemetry);
    }
  }

  @Override
  public Path readmeExampleSource() {
    return Path.of("src/test/java/dev/baton/examples/TwoAgents.java");
  }

  @Override
  public Agent open(Baton baton) throws Exception {
    Connection connection = Nats.connect(Options.builder().server(NATS.url()).build());
    NatsBaton nats = NatsBaton.builder(baton, connection).setBacklogInterval(Duration.ZERO).build();
    return new Agent() {
      @Override
      public Publisher publisher() {
        return nats.publisher();
      }

      @Override
      public Subscriber subscriber() {
        return nats.subscriber();
      }

      @Override
      public void ready(Subscription subscription) throws Exception {
        connection.flush(Duration.ofSeconds(5));
      }

      @Override
      public Subscriber redeliveringSubscriber(String destination) throws Exception {
        String stream = "S" + UUID.randomUUID().toString().replace("-", "");
        connection
            .jetStreamManagement()
            .addStream(
                StreamConfiguration.builder()
                    .name(stream)
                    .subjects(destination)
                    .storageType(StorageType.Memory)
                    .build());
        return nats.durableSubscriber(); // finds the stream by the subject
      }

      @Override
      public Publisher durablePublisher() {
        return nats.durablePublisher();
      }

      @Override
      public void probe() {
        nats.probe();
      }

      @Override
      public void rawPublish(
          String destination, @Nullable Map<String, List<String>> headers, byte[] payload) {
        NatsMessage.Builder message = NatsMessage.builder().subject(destination).data(payload);
        if (headers != null) {
          message.headers(toNats(headers));
        }
        connection.publish(message.build());
      }

      @Override
      public Map<String, List<String>> rawReceive(String destination, Callable<?> publish)
          throws Exception {
        io.nats.client.Subscription raw = connection.subscribe(destination);
        try {
          connection.flush(Duration.ofSeconds(5));
          publish.call();
          Message message = raw.nextMessage(Duration.ofSeconds(20));
          if (message == null) {
            throw new AssertionError("no message on " + destination);
          }
          Map<String, List<String>> headers = new LinkedHashMap<>();
          message.getHeaders().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
          return headers;
        } finally {
          raw.unsubscribe();
        }
      }

      @Override
      public boolean canCarry(@Nullable Map<String, List<String>> headers) {
        if (headers == null) {
          return true;
        }
        try {
          return toNats(headers).serializedLength() < MAX_HEADER_BYTES;
        } catch (IllegalArgumentException e) {
          return false; // jnats refuses the value (CR/LF, non-ASCII)
        }
      }

      @Override
      public void close() throws Exception {
        nats.close();
        connection.close();
      }
    };
  }

  private static Headers toNats(Map<String, List<String>> headers) {
    Headers nats = new Headers();
    headers.forEach((k, values) -> values.forEach(v -> nats.add(k, v)));
    return nats;
  }
}
