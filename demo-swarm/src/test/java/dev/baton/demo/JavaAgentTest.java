/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.NatsServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Baton under the OpenTelemetry Java agent (the jar from Maven Central, its default configuration,
 * Baton on the agent's {@code GlobalOpenTelemetry}): in a child JVM ({@link AgentHandOff}) a caller
 * span publishes to {@code in} through Baton, a Baton handler hands on to {@code out}, a plain
 * client Baton does not own reads {@code out}. The exported trace must hold each hop once — one
 * PRODUCER span per send, one CONSUMER span per receive, Baton's attributes on them — and the plain
 * client keeps the agent's own span. Real nats-server and KRaft broker.
 */
class JavaAgentTest {

  private static final String AGENT_NATS = "io.opentelemetry.nats-2.17";
  private static final String AGENT_KAFKA = "io.opentelemetry.kafka-clients-0.11";

  /** A two-hop hand-off on NATS: Baton's sends, the agent's receive spans with Baton's marks. */
  private static final String NATS_HAND_OFF =
      String.join(
          "\n",
          "INTERNAL caller [caller]",
          "  PRODUCER send in [dev.baton] hop=1",
          "    CONSUMER in process [" + AGENT_NATS + "] hop=1 sender=relay",
          "      PRODUCER send out [dev.baton] hop=2",
          "        CONSUMER out process [" + AGENT_NATS + "]");

  @TempDir Path dir;

  /** The hand-off on a nats-server of the test's own (a fresh JetStream store each). */
  private String natsHandOff(String mode) throws Exception {
    try (NatsServer nats = NatsServer.start()) {
      return handOff("nats", nats.url(), mode);
    }
  }

  @Test
  void coreNatsHandOffIsRecordedOncePerHop() throws Exception {
    assertThat(natsHandOff("core")).isEqualTo(NATS_HAND_OFF);
  }

  @Test
  void natsRequestReplyIsRecordedOncePerHop() throws Exception {
    assertThat(natsHandOff("request"))
        .isEqualTo(
            String.join(
                "\n",
                "INTERNAL caller [caller]",
                "  PRODUCER send in [dev.baton] hop=1",
                "    CONSUMER in process [" + AGENT_NATS + "] hop=1 sender=relay",
                "      PRODUCER send _INBOX.> [dev.baton] hop=2",
                "        CONSUMER (temporary) process [" + AGENT_NATS + "]",
                "      PRODUCER send out [dev.baton] hop=2",
                "        CONSUMER out process [" + AGENT_NATS + "]"));
  }

  @Test
  void jetStreamHandOffIsRecordedOncePerHopWithNoAckSpan() throws Exception {
    assertThat(natsHandOff("jetstream")).isEqualTo(NATS_HAND_OFF);
  }

  @Test
  void kafkaHandOffIsRecordedOncePerHop() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start()) {
      kafka.createTopic("in", 1);
      kafka.createTopic("out", 1);
      assertThat(handOff("kafka", kafka.bootstrapServers()))
          .isEqualTo(
              String.join(
                  "\n",
                  "INTERNAL caller [caller]",
                  "  PRODUCER send in [dev.baton] hop=1",
                  "    CONSUMER process in [dev.baton] hop=1 sender=relay",
                  "      PRODUCER send out [dev.baton] hop=2",
                  "        CONSUMER out process [" + AGENT_KAFKA + "]"));
    }
  }

  private static final String OWN_SDK = "this Baton reports to an OpenTelemetry of its own";

  @Test
  void aBatonOnAnSdkOfItsOwnSaysOnceWhatToSet() throws Exception {
    String output = run("own-sdk", "own-sdk");
    assertThat(output).as(output).contains("RESULT built");
    assertThat(output.split(OWN_SDK, -1)).as(output).hasSize(2);
    assertThat(output)
        .contains("Baton.builder(GlobalOpenTelemetry.get())")
        .contains("-Dotel.instrumentation.nats.enabled=false")
        .contains("-Dotel.instrumentation.kafka.enabled=false");
  }

  /**
   * Runs the hand-off under the agent and returns the caller's trace as a tree (one line per span:
   * kind, name, instrumentation scope, Baton's hop and sender), after checking the message read
   * from {@code out} carried one traceparent and no span fell outside the caller's trace's tree.
   */
  private String handOff(String... args) throws Exception {
    String output = run(String.join("-", args).replaceAll("[^a-z-]", ""), args);
    assertThat(output).as(output).contains("RESULT traceparents=1").doesNotContain(OWN_SDK);
    List<JsonNode> spans = spans(output);
    String callerTrace =
        spans.stream()
            .filter(s -> s.path("name").asText().equals("caller"))
            .map(s -> s.path("traceId").asText())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no caller span in:\n" + output));
    List<JsonNode> trace =
        spans.stream().filter(s -> s.path("traceId").asText().equals(callerTrace)).toList();
    return tree(trace);
  }

  private String run(String name, String... args) throws Exception {
    String classPath = System.getProperty("java.class.path");
    String agent =
        Stream.of(classPath.split(File.pathSeparator))
            .filter(p -> Path.of(p).getFileName().toString().startsWith("opentelemetry-javaagent"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the agent jar is not a test dependency"));
    String childPath =
        Stream.of(classPath.split(File.pathSeparator))
            .filter(p -> !p.equals(agent))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-javaagent:" + agent,
            "-Dotel.traces.exporter=logging-otlp",
            "-Dotel.metrics.exporter=none",
            "-Dotel.logs.exporter=none",
            "-Dotel.service.name=relay",
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            childPath,
            AgentHandOff.class.getName()));
    command.addAll(List.of(args));
    Path out = dir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_"));
    Process child = builder.start();
    try {
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child JVM ended in 120 s").isTrue();
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly().waitFor();
      }
    }
    String output = Files.readString(out);
    assertThat(child.exitValue()).as(output).isZero();
    return output;
  }

  /** Every span the agent's logging-otlp exporter printed (one JSON document per line). */
  private static List<JsonNode> spans(String output) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> spans = new ArrayList<>();
    for (String line : output.split("\n")) {
      int at = line.indexOf("{\"resource");
      if (at < 0) {
        continue;
      }
      JsonNode doc = json.readTree(line.substring(at));
      JsonNode resourceSpans = doc.has("resourceSpans") ? doc.get("resourceSpans") : doc;
      for (JsonNode rs : resourceSpans.isArray() ? resourceSpans : List.of(resourceSpans)) {
        for (JsonNode ss : rs.path("scopeSpans")) {
          for (JsonNode span : ss.path("spans")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) span)
                .put("scope", ss.path("scope").path("name").asText());
            spans.add(span);
          }
        }
      }
    }
    return spans;
  }

  private static String tree(List<JsonNode> trace) {
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    trace.forEach(s -> byId.put(s.path("spanId").asText(), s));
    List<String> lines = new ArrayList<>();
    trace.stream()
        .filter(s -> !byId.containsKey(s.path("parentSpanId").asText()))
        .sorted(Comparator.comparing(JavaAgentTest::line))
        .forEach(root -> render(root, trace, 0, lines));
    return String.join("\n", lines);
  }

  private static void render(JsonNode span, List<JsonNode> trace, int depth, List<String> lines) {
    lines.add("  ".repeat(depth) + line(span));
    String id = span.path("spanId").asText();
    trace.stream()
        .filter(s -> s.path("parentSpanId").asText().equals(id))
        .sorted(Comparator.comparing(JavaAgentTest::line))
        .forEach(child -> render(child, trace, depth + 1, lines));
  }

  private static String line(JsonNode span) {
    String[] kinds = {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};
    JsonNode kind = span.path("kind");
    StringBuilder line =
        new StringBuilder(
                kind.isInt() ? kinds[kind.asInt()] : kind.asText().replace("SPAN_KIND_", ""))
            .append(' ')
            .append(span.path("name").asText())
            .append(" [")
            .append(span.path("scope").asText())
            .append(']');
    String hop = attribute(span, "baton.hop");
    if (hop != null) {
      line.append(" hop=").append(hop);
    }
    String sender = attribute(span, "baton.sender.agent.name");
    if (sender != null) {
      line.append(" sender=").append(sender);
    }
    return line.toString();
  }

  private static String attribute(JsonNode span, String key) {
    for (JsonNode attribute : span.path("attributes")) {
      if (attribute.path("key").asText().equals(key)) {
        JsonNode value = attribute.path("value");
        return value.fields().next().getValue().asText();
      }
    }
    return null;
  }
}
