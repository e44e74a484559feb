/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.propagation.Baton;
import dev.baton.transport.Transport;
import dev.baton.transport.kafka.KafkaBaton;
import dev.baton.transport.nats.NatsBaton;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A user's JVM under the OpenTelemetry Java agent: a caller span publishes to {@code in} through
 * Baton, a Baton handler (agent "relay") hands on to {@code out}, and a plain client that Baton
 * does not own reads {@code out}. Prints {@code RESULT traceparents=<n>} for the message read from
 * {@code out}; the agent exports the spans ({@code otel.traces.exporter=logging-otlp}).
 *
 * <p>Arguments: {@code nats <url> core|request|jetstream}, {@code kafka <bootstrap servers>}, or
 * {@code own-sdk} (two Batons on SDKs of their own, built and nothing more).
 */
public final class AgentHandOff {

  private AgentHandOff() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("own-sdk")) {
      // A Baton on an SDK of its own, beside the agent's: it cannot keep the agent aside.
      Baton.builder(OpenTelemetrySdk.builder().build()).setAgentName("own").build();
      Baton.builder(OpenTelemetrySdk.builder().build()).setAgentName("own-2").build();
      System.out.println("RESULT built");
      return;
    }
    OpenTelemetry otel = GlobalOpenTelemetry.get();
    Baton baton = Baton.builder(otel).setAgentName("relay").build();
    Tracer tracer = otel.getTracer("caller");
    List<String> traceparents =
        args[0].equals("nats")
            ? nats(baton, tracer, args[1], args[2])
            : kafka(baton, tracer, args[1]);
    System.out.println("RESULT traceparents=" + traceparents.size());
    System.out.flush();
  }

  private static List<String> nats(Baton baton, Tracer tracer, String url, String mode)
      throws Exception {
    try (Connection owned = Nats.connect(url);
        Connection plain = Nats.connect(url);
        Transport bus = NatsBaton.create(baton, owned)) {
      CompletableFuture<List<String>> read = new CompletableFuture<>();
      plain
          .createDispatcher(
              m -> {
                List<String> values =
                    m.getHeaders() == null ? null : m.getHeaders().get("traceparent");
                read.complete(values == null ? List.of() : new ArrayList<>(values));
              })
          .subscribe("out");
      plain.flush(Duration.ofSeconds(5));
      if (mode.equals("jetstream")) {
        owned
            .jetStreamManagement()
            .addStream(StreamConfiguration.builder().name("TASKS").subjects("in").build());
        bus.durableSubscriber()
            .subscribe("in", "relay", m -> bus.publisher().publish("out", m.payload()));
      } else if (mode.equals("request")) {
        bus.subscriber()
            .respond(
                "in",
                null,
                request -> {
                  bus.publisher().publish("out", request.payload());
                  return request.payload();
                });
      } else {
        bus.subscriber().subscribe("in", m -> bus.publisher().publish("out", m.payload()));
      }
      owned.flush(Duration.ofSeconds(5));
      Span caller = tracer.spanBuilder("caller").startSpan();
      try (Scope ignored = caller.makeCurrent()) {
        byte[] task = "task".getBytes(StandardCharsets.UTF_8);
        if (mode.equals("jetstream")) {
          bus.durablePublisher()
              .publish(dev.baton.transport.OutboundMessage.of("in", task))
              .get(10, TimeUnit.SECONDS);
        } else if (mode.equals("request")) {
          bus.publisher().request("in", task, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
        } else {
          bus.publisher().publish("in", task);
        }
      } finally {
        caller.end();
      }
      List<String> traceparents = read.get(20, TimeUnit.SECONDS);
      // Drained, each connection's handlers have returned, so every span of the hand-off ended.
      owned.drain(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
      plain.drain(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
      return traceparents;
    }
  }

  private static List<String> kafka(Baton baton, Tracer tracer, String servers) throws Exception {
    Map<String, Object> plainConfig =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            servers,
            ConsumerConfig.GROUP_ID_CONFIG,
            "plain-reader",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class);
    try (KafkaBaton bus = KafkaBaton.create(baton, Map.of("bootstrap.servers", servers));
        KafkaConsumer<byte[], byte[]> plain = new KafkaConsumer<>(plainConfig)) {
      plain.subscribe(List.of("out"));
      bus.subscriber().subscribe("in", "relay", m -> bus.publisher().publish("out", m.payload()));
      Span caller = tracer.spanBuilder("caller").startSpan();
      try (Scope ignored = caller.makeCurrent()) {
        bus.publisher()
            .publish(
                dev.baton.transport.OutboundMessage.of(
                    "in", "task".getBytes(StandardCharsets.UTF_8)))
            .get(20, TimeUnit.SECONDS);
      } finally {
        caller.end();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      List<String> values = null;
      while (values == null && System.nanoTime() < deadline) {
        // Iterated to the end, as a user's loop would: the agent ends its span per record then.
        for (ConsumerRecord<byte[], byte[]> record : plain.poll(Duration.ofMillis(200))) {
          values = new ArrayList<>();
          for (Header header : record.headers().headers("traceparent")) {
            values.add(new String(header.value(), StandardCharsets.UTF_8));
          }
        }
      }
      if (values == null) {
        throw new IllegalStateException("nothing read from out in 30 s");
      }
      return values;
    }
  }
}
