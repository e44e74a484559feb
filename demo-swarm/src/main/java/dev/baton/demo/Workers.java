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
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
      handOff(Roles.REVIEW, taskId + ":" + part, JSON.writeValueAsBytes(result));
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
    /** How long the summary may take, and how often it is asked again when no reply comes. */
    static final Duration SUMMARY_TIMEOUT = Duration.ofSeconds(5);

    static final int SUMMARY_ATTEMPTS = 6;

    private final Map<String, Partial> partials = new ConcurrentHashMap<>();
    private final Set<String> reviewed = ConcurrentHashMap.newKeySet();
    private final Deque<String> reviewedOrder = new ConcurrentLinkedDeque<>();
    private final Tracer tracer;

    private record Partial(JsonNode result, SpanContext arrivedIn) {}

    Reviewer(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(Roles.REVIEWER, backplane, otel, parts);
      this.tracer = otel.getTracer("dev.baton.demo");
      track(bus.durableSubscriber().subscribe(Roles.REVIEW, "reviewers", traced(this::collect)));
    }

    private void collect(Message message) throws Exception {
      JsonNode result = JSON.readTree(message.payload());
      String taskId = result.path("task_id").asText();
      if (reviewed.contains(taskId)) {
        return; // a late duplicate of a half already reviewed
      }
      Partial mine = new Partial(result, Span.current().getSpanContext());
      Partial other = partials.putIfAbsent(taskId, mine);
      if (other == null
          || other.result.path("role").asText().equals(result.path("role").asText())) {
        return; // the first half (or a redelivered duplicate): wait for the other
      }
      // The review runs in the second arrival's trace context and links the first branch.
      Span review = tracer.spanBuilder("review " + taskId).addLink(other.arrivedIn).startSpan();
      try (Scope ignored = review.makeCurrent()) {
        Llm.Usage usage = llm.chat("review research and code", 250);
        ObjectNode ask = object().put("task_id", taskId).put("text", "review of " + taskId);
        JsonNode summary = summarize(JSON.writeValueAsBytes(ask));
        double cost =
            usage.costUsd()
                + result.path("cost_usd").asDouble()
                + other.result.path("cost_usd").asDouble()
                + summary.path("cost_usd").asDouble();
        ObjectNode done =
            object()
                .put("task_id", taskId)
                .put("status", "done")
                .put("cost_usd", cost)
                .put("summary", summary.path("summary").asText());
        handOff(Roles.DONE, taskId, JSON.writeValueAsBytes(done));
        // Only now is the first half let go: a failure above redelivers this half, which finds
        // the first one still here.
        partials.remove(taskId);
        remember(taskId);
        log.info("review done for {}", taskId);
      } finally {
        review.end();
      }
    }

    /**
     * Asks the summarizer, again when no reply comes in time (a request or its reply lost in a
     * broker outage): a request is cheap to repeat, the review before it is not.
     */
    private JsonNode summarize(byte[] ask) throws Exception {
      for (int attempt = 1; ; attempt++) {
        try {
          Message reply =
              bus.publisher()
                  .request(OutboundMessage.of(Roles.SUMMARIZE, ask), SUMMARY_TIMEOUT)
                  .get(SUMMARY_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
          return JSON.readTree(reply.payload());
        } catch (ExecutionException | TimeoutException e) {
          if (attempt == SUMMARY_ATTEMPTS) {
            throw e;
          }
          log.info("no summary yet (attempt {}): {}; asking again", attempt, e.toString());
          Thread.sleep(500);
        }
      }
    }

    /** Keeps the last 10,000 reviewed task ids, to drop halves that arrive again later. */
    private void remember(String taskId) {
      if (reviewed.add(taskId)) {
        reviewedOrder.add(taskId);
        while (reviewedOrder.size() > 10_000) {
          reviewed.remove(reviewedOrder.poll());
        }
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
