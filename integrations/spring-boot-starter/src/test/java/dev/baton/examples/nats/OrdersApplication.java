/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples.nats;

// README example: start
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Transport;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** An agent as a Spring Boot application: Baton's starter does the rest. */
@SpringBootApplication
public class OrdersApplication {

  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }

  /** The application's own NATS connection: the starter wraps it in a NatsBaton. */
  @Bean(destroyMethod = "close")
  Connection natsConnection(@Value("${nats.url}") String url) throws Exception {
    return Nats.connect(url);
  }

  /** Each new order is checked and handed on to billing, in the same trace. */
  @Bean
  ApplicationRunner orders(Transport bus) {
    return args ->
        bus.subscriber()
            .subscribe(
                "orders.new",
                "order-checkers",
                order ->
                    bus.publisher().publish(OutboundMessage.of("billing.charge", order.payload())));
  }
}
// README example: end
