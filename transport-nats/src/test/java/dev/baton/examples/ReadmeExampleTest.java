package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.testing.Await;
import dev.baton.propagation.testing.ReadmeSnippets;
import dev.baton.transport.nats.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.util.List;
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
    ReadmeSnippets.assertReadmeShows(
        Path.of("../README.md"), Path.of("src/test/java/dev/baton/examples/TwoAgents.java"));
  }
}
