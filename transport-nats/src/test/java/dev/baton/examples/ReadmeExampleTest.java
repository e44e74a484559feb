package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.testing.Await;
import dev.baton.transport.nats.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's example runs, and the README shows exactly the code that runs. */
class ReadmeExampleTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  @Test
  void theExampleRunsAsOneTraceWithBaggageToTheLastAgent() throws Exception {
    try (Connection connection = Nats.connect(NATS.url())) {
      String archived = TwoAgents.run(connection, OTEL.getOpenTelemetry());

      assertThat(archived).isEqualTo("chapter 1 for acme");
    }
    List<SpanData> spans = Await.size("spans", 5, OTEL::getSpans);
    assertThat(spans.stream().map(SpanData::getTraceId).distinct()).hasSize(1);
    assertThat(spans)
        .extracting(SpanData::getName)
        .contains(
            "send drafts.review",
            "process drafts.review",
            "send drafts.archive",
            "process drafts.archive");
  }

  @Test
  void theReadmeShowsTheExampleAsItIsCompiled() throws Exception {
    Path source = Path.of("src/test/java/dev/baton/examples/TwoAgents.java");
    List<String> lines = Files.readAllLines(source);
    int start = indexOf(lines, "// README example: start") + 1;
    int end = indexOf(lines, "// README example: end");
    String example =
        lines.subList(start, end).stream()
            .map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
            .collect(Collectors.joining("\n"));

    String readme = Files.readString(Path.of("../README.md"));

    assertThat(readme).contains(example);
  }

  private static int indexOf(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError(
        "marker not found: " + marker + " in " + Arrays.toString(lines.toArray()));
  }
}
