package dev.baton.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The four worker roles. Each is what a user's agent looks like with Baton swapped in. */
final class Workers {

  private Workers() {}

  /** Looks things up for a task: two LLM calls, then hands its findings to the reviewer. */
  static final class Researcher extends Agent {
    Researcher(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(Roles.RESEARCHER, backplane, otel, parts);
      track(
          bus.durableSubscriber().subscribe(Roles.RESEARCH, "researchers", traced(this::research)));
    }

    private void research(Message message) throws Exception {
      JsonNode task = JSON.readTree(message.payload());
      maybeFail("search");
      Llm.Usage search = llm.chat("search the sources", 120);
      Llm.Usage synthesis = llm.chat("synthesize findings", 200);
      ObjectNode result =
          object()
              .put("task_id", task.path("task_id").asText())
              .put("role", "research")
              .put("output", "findings for: " + task.path("prompt").asText())
              .put("cost_usd", search.costUsd() + synthesis.costUsd());
      bus.publisher().publish(Roles.REVIEW, JSON.writeValueAsBytes(result));
      log.info("research done for {}", task.path("task_id").asText());
    }
  }

  /** Writes the code for a task, in parallel with the researcher. */
  static final class Coder extends Agent {
    Coder(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(Roles.CODER, backplane, otel, parts);
      track(bus.durableSubscriber().subscribe(Roles.CODE, "coders", traced(this::code)));
    }

    private void code(Message message) throws Exception {
      JsonNode task = JSON.readTree(message.payload());
      maybeFail("generate");
      Llm.Usage draft = llm.chat("write the code", 300);
      Llm.Usage fix = llm.chat("fix the failing test", 150);
      ObjectNode result =
          object()
              .put("task_id", task.path("task_id").asText())
              .put("role", "code")
              .put("output", "code for: " + task.path("prompt").asText())
              .put("cost_usd", draft.costUsd() + fix.costUsd());
      bus.publisher().publish(Roles.REVIEW, JSON.writeValueAsBytes(result));
      log.info("code done for {}", task.path("task_id").asText());
    }
  }

  /**
   * Waits for both the research and the code of a task (fan-in), reviews them, asks the summarizer
   * for a summary (request/reply), and tells the coordinator the task is done.
   */
  static final class Reviewer extends Agent {
    private final Map<String, Partial> partials = new ConcurrentHashMap<>();
    private final Tracer tracer;

    private record Partial(JsonNode result, SpanContext arrivedIn) {}

    Reviewer(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(Roles.REVIEWER, backplane, otel, parts);
      this.tracer = otel.getTracer("dev.baton.demo");
      track(bus.subscriber().subscribe(Roles.REVIEW, "reviewers", traced(this::collect)));
    }

    private void collect(Message message) throws Exception {
      JsonNode result = JSON.readTree(message.payload());
      String taskId = result.path("task_id").asText();
      Partial mine = new Partial(result, Span.current().getSpanContext());
      Partial other = partials.putIfAbsent(taskId, mine);
      if (other == null
          || other.result.path("role").asText().equals(result.path("role").asText())) {
        return; // the first half (or a redelivered duplicate): wait for the other
      }
      partials.remove(taskId);
      // The review runs in the second arrival's trace context and links the first branch.
      Span review = tracer.spanBuilder("review " + taskId).addLink(other.arrivedIn).startSpan();
      try (Scope ignored = review.makeCurrent()) {
        Llm.Usage usage = llm.chat("review research and code", 250);
        ObjectNode ask = object().put("task_id", taskId).put("text", "review of " + taskId);
        Message summary =
            bus.publisher()
                .request(
                    OutboundMessage.of(Roles.SUMMARIZE, JSON.writeValueAsBytes(ask)),
                    Duration.ofSeconds(30))
                .get(35, TimeUnit.SECONDS);
        double cost =
            usage.costUsd()
                + result.path("cost_usd").asDouble()
                + other.result.path("cost_usd").asDouble()
                + JSON.readTree(summary.payload()).path("cost_usd").asDouble();
        ObjectNode done =
            object()
                .put("task_id", taskId)
                .put("status", "done")
                .put("cost_usd", cost)
                .put("summary", JSON.readTree(summary.payload()).path("summary").asText());
        bus.publisher().publish(Roles.DONE, JSON.writeValueAsBytes(done));
        log.info("review done for {}", taskId);
      } finally {
        review.end();
      }
    }
  }

  /** Answers summary requests (request/reply). */
  static final class Summarizer extends Agent {
    Summarizer(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(Roles.SUMMARIZER, backplane, otel, parts);
      track(bus.subscriber().respond(Roles.SUMMARIZE, "summarizers", this::summarize));
    }

    private byte[] summarize(Message request) throws Exception {
      try (Mdc ignored = Mdc.fromCurrentSpan()) {
        JsonNode ask = JSON.readTree(request.payload());
        Llm.Usage usage = llm.chat("summarize", 80);
        return JSON.writeValueAsBytes(
            object()
                .put("summary", "summary of " + ask.path("text").asText())
                .put("cost_usd", usage.costUsd()));
      }
    }
  }
}
