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

  /**
   * A worker on the durable path: takes a task, may fail (the broker redelivers), makes two LLM
   * calls and hands its part to the reviewer.
   */
  abstract static class Worker extends Agent {
    private final String part;
    private final String[] calls;
    private final int[] medianMillis;

    Worker(
        String role,
        String destination,
        String group,
        String part,
        String[] calls,
        int[] medianMillis,
        Backplane backplane,
        OpenTelemetry otel,
        SwarmParts parts)
        throws Exception {
      super(role, backplane, otel, parts);
      this.part = part;
      this.calls = calls;
      this.medianMillis = medianMillis;
      track(bus.durableSubscriber().subscribe(destination, group, traced(this::work)));
    }

    private void work(Message message) throws Exception {
      JsonNode task = JSON.readTree(message.payload());
      maybeFail(calls[0]);
      double cost = 0;
      for (int i = 0; i < calls.length; i++) {
        cost += llm.chat(calls[i], medianMillis[i]).costUsd();
      }
      String taskId = task.path("task_id").asText();
      ObjectNode result =
          object()
              .put("task_id", taskId)
              .put("role", part)
              .put("output", part + " for: " + task.path("prompt").asText())
              .put("cost_usd", cost);
      bus.publisher().publish(Roles.REVIEW, JSON.writeValueAsBytes(result));
      log.info("{} done for {}", part, taskId);
    }
  }

  /** Looks things up for a task. */
  static final class Researcher extends Worker {
    Researcher(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(
          Roles.RESEARCHER,
          Roles.RESEARCH,
          "researchers",
          "research",
          new String[] {"search the sources", "synthesize findings"},
          new int[] {120, 200},
          backplane,
          otel,
          parts);
    }
  }

  /** Writes the code for a task, in parallel with the researcher. */
  static final class Coder extends Worker {
    Coder(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(
          Roles.CODER,
          Roles.CODE,
          "coders",
          "code",
          new String[] {"write the code", "fix the failing test"},
          new int[] {300, 150},
          backplane,
          otel,
          parts);
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
