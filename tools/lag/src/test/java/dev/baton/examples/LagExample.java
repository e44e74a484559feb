/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.NatsServer;
import dev.baton.testing.Await;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * baton-lag for real, for the README: a nats-server and a Kafka broker of its own, a JetStream
 * consumer and a Kafka group that consumed 3 messages and then stopped, 7 more published to each;
 * then {@code java -jar tools/lag/target/baton-lag.jar} in a process of its own, and what its
 * {@code /metrics} and {@code /health} say. Run from the repository root after {@code mvn -B -q
 * install -DskipTests}: {@code mvn -B -q -pl tools/lag exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.baton.examples.LagExample}.
 */
public final class LagExample {

  private LagExample() {}

  public static void main(String[] args) throws Exception {
    File jar = new File("tools/lag/target/baton-lag.jar");
    System.out.println(run(jar.exists() ? jar : new File("target/baton-lag.jar")));
  }

  /** The session docs/baton-lag.md shows, with {@code jar} as the baton-lag jar. */
  public static String run(File jar) throws Exception {
    StringBuilder out = new StringBuilder();
    try (NatsServer nats = NatsServer.start();
        KafkaBroker kafka = KafkaBroker.start()) {
      natsConsumerThatStopped(nats.url());
      kafkaGroupThatStopped(kafka.bootstrapServers());
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      List<String> command =
          List.of(
              "java",
              "-jar",
              jar.getPath(),
              "--nats",
              nats.url(),
              "--kafka",
              kafka.bootstrapServers(),
              "--interval",
              "1s",
              "--port",
              Integer.toString(port));
      // As a reader runs it from the repository root.
      out.append("$ java -jar tools/lag/target/baton-lag.jar ")
          .append(String.join(" ", command.subList(3, command.size())))
          .append('\n');
      File output = File.createTempFile("baton-lag-", ".log");
      output.deleteOnExit();
      Process lag =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        // Both groups read and called STOPPED (status 3): the figures the README shows.
        Await.until(
            "both groups STOPPED on /metrics",
            Duration.ofSeconds(60),
            () -> {
              String text = scrape(http, port);
              return text.lines()
                      .filter(l -> l.startsWith("baton_consumer_status{") && l.endsWith(" 3.0"))
                      .filter(l -> l.contains("orders-workers") || l.contains("\"workers\""))
                      .count()
                  >= 2;
            });
        String metrics = get(http, port, "/metrics").body();
        out.append("\n$ curl 127.0.0.1:" + port + "/metrics   (lag and status lines)\n");
        metrics
            .lines()
            .filter(
                l ->
                    l.startsWith("baton_consumer_lag_messages{")
                        || l.startsWith("baton_consumer_lag_time_seconds{")
                        || l.startsWith("baton_consumer_status{")
                        || l.startsWith("baton_connection_up{"))
            .sorted()
            .forEach(l -> out.append(l).append('\n'));
        HttpResponse<String> health = get(http, port, "/health");
        JsonNode answer = new ObjectMapper().readTree(health.body());
        ObjectNode shown = new ObjectMapper().createObjectNode();
        shown.set("status", answer.get("status"));
        shown.set("stopped", answer.get("checks").get("stopped"));
        out.append(
                "\n$ curl -s 127.0.0.1:" + port + "/health   (the status and the stopped check)\n")
            .append(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(shown))
            .append('\n');
      } finally {
        lag.destroy();
        lag.waitFor(10, TimeUnit.SECONDS);
        out.append("\n$ # baton-lag printed\n")
            .append(new String(Files.readAllBytes(output.toPath()), StandardCharsets.UTF_8).strip())
            .append('\n');
      }
    }
    return out.toString();
  }

  private static String scrape(HttpClient http, int port) {
    try {
      return get(http, port, "/metrics").body();
    } catch (Exception e) {
      return "";
    }
  }

  private static void natsConsumerThatStopped(String url) throws Exception {
    try (Connection nc = Nats.connect(url)) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      jsm.addStream(
          StreamConfiguration.builder()
              .name("ORDERS")
              .subjects("orders.>")
              .storageType(StorageType.File)
              .build());
      jsm.addOrUpdateConsumer(
          "ORDERS",
          ConsumerConfiguration.builder()
              .durable("workers")
              .filterSubject("orders.new")
              .ackPolicy(AckPolicy.Explicit)
              .build());
      JetStream js = nc.jetStream();
      for (int i = 0; i < 3; i++) {
        js.publish("orders.new", ("order " + i).getBytes(StandardCharsets.UTF_8));
      }
      var consumer = nc.getConsumerContext("ORDERS", "workers");
      for (int i = 0; i < 3; i++) {
        consumer.next(Duration.ofSeconds(5)).ack();
      }
      for (int i = 3; i < 10; i++) {
        js.publish("orders.new", ("order " + i).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void kafkaGroupThatStopped(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic("orders", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>("orders", "order " + i)).get(30, TimeUnit.SECONDS);
      }
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(
              Map.of(
                  "bootstrap.servers", bootstrap,
                  "group.id", "orders-workers",
                  "auto.offset.reset", "earliest",
                  "enable.auto.commit", "false"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of("orders"));
        int got = 0;
        while (got < 3) {
          got += consumer.poll(Duration.ofMillis(500)).count();
        }
        consumer.commitSync();
      }
      for (int i = 3; i < 10; i++) {
        producer.send(new ProducerRecord<>("orders", "order " + i)).get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
