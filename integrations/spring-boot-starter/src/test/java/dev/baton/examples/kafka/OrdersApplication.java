/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples.kafka;

// README example: start
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.Transport;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The same agent on Kafka: the starter makes a KafkaBaton from spring.kafka.*. */
@SpringBootApplication
public class OrdersApplication {

  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
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
