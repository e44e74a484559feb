/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.spi.Delivery;
import dev.baton.propagation.spi.MessagingEngine;
import dev.baton.propagation.spi.Settler;
import dev.baton.testing.MapHeaders;
import dev.baton.testing.RecordingListener;
import dev.baton.transport.Message;
import dev.baton.transport.Outcome;
import dev.baton.transport.RejectionReason;
import dev.baton.transport.TransportListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs Baton's receive conformance vectors ({@code docs/wire-vectors/receive.txt}, the format is in
 * the file) against the engine: what Baton makes of each header set, as a peer in another language
 * can check its own reader against the same file.
 */
class WireVectorsTest {

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private static final Path VECTORS = Path.of("../docs/wire-vectors/receive.txt");
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

  record Vector(
      String name,
      String mode,
      boolean loopBreak,
      List<String[]> headers,
      Map<String, String> expected) {}

  static List<Vector> read(Path file) throws Exception {
    List<Vector> vectors = new ArrayList<>();
    String name = null;
    String mode = "mint";
    boolean loopBreak = false;
    List<String[]> headers = new ArrayList<>();
    Map<String, String> expected = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.add("");
    for (String line : lines) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        if (name != null) {
          vectors.add(new Vector(name, mode, loopBreak, headers, expected));
        }
        name = null;
        mode = "mint";
        loopBreak = false;
        headers = new ArrayList<>();
        expected = new LinkedHashMap<>();
        continue;
      }
      int colon = line.indexOf(':');
      String key = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      if (key.equals("vector")) {
        name = value;
      } else if (key.equals("mode")) {
        mode = value;
      } else if (key.equals("loop-break")) {
        loopBreak = value.equals("yes");
      } else if (key.startsWith("header ")) {
        headers.add(new String[] {key.substring(7), value});
      } else if (key.startsWith("expect ")) {
        expected.put(key.substring(7), value);
      } else {
        throw new IllegalArgumentException("not a vector line: " + line);
      }
    }
    return vectors;
  }

  @TestFactory
  Stream<DynamicTest> everyVectorGivesItsOutcome() throws Exception {
    List<Vector> vectors = read(VECTORS);
    assertThat(vectors).as("vectors in %s", VECTORS).hasSizeGreaterThanOrEqualTo(27);
    return vectors.stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> run(v)));
  }

  private static void run(Vector vector) throws Exception {
    OTEL.clearSpans();
    RecordingListener listener = new RecordingListener();
    List<String> loops = new ArrayList<>();
    Baton.Builder builder =
        Baton.builder(OTEL.getOpenTelemetry())
            .setAgentName("receiver")
            .setConversations(ConversationMode.valueOf(vector.mode().toUpperCase(Locale.ROOT)))
            .addListener(listener)
            .addListener(
                new TransportListener() {
                  @Override
                  public void onLoop(Loop event) {
                    loops.add(event.cycle());
                  }
                });
    if (vector.loopBreak()) {
      builder.addLoopBreak(">");
    }
    Baton baton = builder.build();
    MessagingEngine<Map<String, List<String>>> engine =
        MessagingEngine.create(baton, MapHeaders.WIRE);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String[] header : vector.headers()) {
      headers.computeIfAbsent(header[0], k -> new ArrayList<>()).add(header[1]);
    }
    AtomicReference<Message> message = new AtomicReference<>();
    AtomicReference<Conversation> conversation = new AtomicReference<>();
    engine.deliver(
        Delivery.of("vectors", "", new byte[0]),
        headers,
        m -> {
          message.set(m);
          conversation.set(Conversation.current());
        },
        Settler.none());

    SpanData process =
        OTEL.getSpans().stream().filter(s -> s.getKind() == SpanKind.CONSUMER).findFirst().get();
    TransportListener.Processed processed = listener.processed.get(0);
    Message m = message.get();
    Conversation c = conversation.get();
    SoftAssertions soft = new SoftAssertions();
    vector
        .expected()
        .forEach(
            (key, want) -> {
              String got =
                  switch (key) {
                    case "outcome" ->
                        processed.outcome() == Outcome.REFUSED
                            ? "refused:"
                                + process
                                    .getAttributes()
                                    .get(AttributeKey.stringKey("baton.refused"))
                            : processed.outcome() == Outcome.ACK
                                ? "handled"
                                : "" + processed.outcome();
                    case "trace" -> process.getTraceId().equals(TRACE) ? "continued" : "new";
                    case "hop" -> {
                      Long hop = process.getAttributes().get(AttributeKey.longKey("baton.hop"));
                      yield hop == null ? "none" : hop.toString();
                    }
                    case "sender" -> m == null || m.sender() == null ? "none" : m.sender();
                    case "id" ->
                        m != null && m.id().matches("[0-9a-f]{32}") && !hasId(vector, m.id())
                            ? "generated"
                            : m == null ? "none" : m.id();
                    case "conversation" ->
                        c == null
                            ? "none"
                            : m != null && c.id().equals(m.id()) ? "message-id" : c.id();
                    case "hops" -> c == null ? "none" : Long.toString(c.hops());
                    case "agents" -> c == null ? "none" : Long.toString(c.agents());
                    case "input_tokens" -> c == null ? "none" : Long.toString(c.inputTokens());
                    case "output_tokens" -> c == null ? "none" : Long.toString(c.outputTokens());
                    case "cost_millionths" ->
                        c == null ? "none" : Long.toString(Math.round(c.cost() * 1e6));
                    case "rejections" -> rejections(listener);
                    case "loop" -> loops.isEmpty() ? "none" : String.join(" ", loops);
                    default -> throw new IllegalArgumentException("unknown expectation " + key);
                  };
              soft.assertThat(got).as("%s: %s", vector.name(), key).isEqualTo(want);
            });
    soft.assertAll();
  }

  private static boolean hasId(Vector vector, String id) {
    return vector.headers().stream().anyMatch(h -> h[1].contains(id));
  }

  private static String rejections(RecordingListener listener) {
    String reasons =
        Arrays.stream(RejectionReason.values())
            .filter(r -> listener.rejected.stream().anyMatch(e -> e.reason() == r && e.inbound()))
            .map(r -> r.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(","));
    return reasons.isEmpty() ? "none" : reasons;
  }
}
