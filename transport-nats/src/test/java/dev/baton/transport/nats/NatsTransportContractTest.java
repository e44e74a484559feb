package dev.baton.transport.nats;

import dev.baton.propagation.Baton;
import dev.baton.propagation.testing.TransportContract;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared transport scenarios against a real nats-server. */
class NatsTransportContractTest extends TransportContract {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Override
  protected String system() {
    return "nats";
  }

  @Override
  protected Agent open(Baton baton) throws Exception {
    Connection connection = Nats.connect(Options.builder().server(NATS.url()).build());
    NatsBaton nats = NatsBaton.create(connection, baton);
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
      public void close() throws Exception {
        nats.close();
        connection.close();
      }
    };
  }
}
