package dev.baton.transport.kafka;

import dev.baton.propagation.Baton;
import dev.baton.propagation.testing.TransportContract;
import dev.baton.transport.Publisher;
import dev.baton.transport.Subscriber;
import dev.baton.transport.Subscription;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared transport scenarios against a real Kafka broker. */
class KafkaTransportContractTest extends TransportContract {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();

  @Override
  protected String system() {
    return "kafka";
  }

  @Override
  protected boolean repliesUseTemporaryDestinations() {
    return false;
  }

  @Override
  protected Agent open(Baton baton) {
    KafkaBaton kafka =
        KafkaBaton.builder(baton, Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
            .setPollTimeout(Duration.ofMillis(100))
            .setBacklogInterval(Duration.ZERO)
            .setFailurePolicy(
                FailurePolicy.retry(3, Duration.ofMillis(10), Duration.ofMillis(50)).thenStop())
            .build();
    return new Agent() {
      @Override
      public Publisher publisher() {
        return kafka.publisher();
      }

      @Override
      public Subscriber subscriber() {
        return kafka.subscriber();
      }

      @Override
      public void ready(Subscription subscription) throws Exception {
        if (!((KafkaSubscription) subscription).awaitAssignment(Duration.ofSeconds(30))) {
          throw new AssertionError("no partition assignment for " + subscription);
        }
      }

      @Override
      public void close() {
        kafka.close();
      }
    };
  }
}
