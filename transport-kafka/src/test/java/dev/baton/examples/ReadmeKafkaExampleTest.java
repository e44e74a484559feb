package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.propagation.testing.Await;
import dev.baton.propagation.testing.ReadmeSnippets;
import dev.baton.transport.kafka.SharedKafka;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's Kafka example runs, and the README shows exactly the code that runs. */
class ReadmeKafkaExampleTest {

  @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  @Test
  void theKafkaExampleRunsAsOneTraceWithBaggageToTheLastAgent() throws Exception {
    String archived = TwoAgentsKafka.run(KAFKA.bootstrapServers(), OTEL.getOpenTelemetry());

    assertThat(archived).isEqualTo("chapter 1 for acme");
    List<SpanData> spans =
        Await.size(
            "hand-off spans",
            5,
            () -> OTEL.getSpans().stream().filter(s -> s.getKind() != SpanKind.CLIENT).toList());
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
  void theReadmeShowsTheKafkaExampleAsItIsCompiled() throws Exception {
    ReadmeSnippets.assertReadmeShows(
        Path.of("../README.md"), Path.of("src/test/java/dev/baton/examples/TwoAgentsKafka.java"));
  }
}
