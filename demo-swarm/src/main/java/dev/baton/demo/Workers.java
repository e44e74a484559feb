/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.health.AgentState;
import dev.baton.propagation.Conversation;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
      // A large task: the coder reads the whole codebase into each prompt.
      long extra = task.path("large").asBoolean(false) && role.equals(Roles.CODER) ? 40_000 : 0;
      double cost = 0;
      long input = 0;
      long output = 0;
      for (int i = 0; i < calls.length; i++) {
        Llm.Usage usage = llm.chat(calls[i], medianMillis[i], extra);
        cost += usage.costUsd();
        input += usage.inputTokens();
        output += usage.outputTokens();
      }
      String taskId = task.path("task_id").asText();
      ObjectNode result =
          object()
              .put("task_id", taskId)
              .put("role", part)
              .put("output", part + " for: " + task.path("prompt").asText())
              .put("cost_usd", cost)
              .put("input_tokens", input)
              .put("output_tokens", output);
      handOff(Roles.REVIEW, taskId, part, JSON.writeValueAsBytes(result));
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
   * for a summary (request/reply), and tells the coordinator the task is done. The halves wait in
   * the task store, not in memory: with several reviewer replicas the halves of one task may reach
   * different ones, and a replica that dies holds nothing (the half it was handling is redelivered,
   * the half it had handed in is in the store).
   */
  static final class Reviewer extends Agent {
    /** How long the summary may take, and how often it is asked again when no reply comes. */
    static final Duration SUMMARY_TIMEOUT = Duration.ofSeconds(5);

    static final int SUMMARY_ATTEMPTS = 6;

    private final TaskStore store;
    private final Tracer tracer;

    Reviewer(Backplane backplane, OpenTelemetry otel, SwarmParts parts) throws Exception {
      super(Roles.REVIEWER, backplane, otel, parts);
      this.store = parts.store();
      this.tracer = otel.getTracer("dev.baton.demo");
      track(bus.durableSubscriber().subscribe(Roles.REVIEW, "reviewers", traced(this::collect)));
    }

    private void collect(Message message) throws Exception {
      JsonNode result = JSON.readTree(message.payload());
      String taskId = result.path("task_id").asText();
      String part = result.path("role").asText();
      List<TaskStore.Part> parts =
          store.handIn(
              taskId,
              part,
              new String(message.payload(), StandardCharsets.UTF_8),
              encode(Span.current().getSpanContext()));
      if (parts.stream().anyMatch(p -> p.name().equals(TaskStore.REVIEWED))) {
        return; // a late duplicate of a part already reviewed
      }
      TaskStore.Part other =
          parts.stream().filter(p -> !p.name().equals(part)).findFirst().orElse(null);
      if (other == null) {
        state(AgentState.WAITING); // on the fan-in: the other part
        return; // the first part: it waits in the store for the other
      }
      JsonNode otherResult = JSON.readTree(other.result());
      // The review runs in the second arrival's trace context and links the first branch.
      Span review =
          tracer.spanBuilder("review " + taskId).addLink(decode(other.arrivedIn())).startSpan();
      try (Scope ignored = review.makeCurrent()) {
        // This message's conversation totals hold the path it came by (the coordinator, then
        // this part's worker): the other part's worker spent its own, which Baton cannot tell
        // from the shared start, so the fan-in adds it from that part's result.
        addUsage(otherResult);
        Llm.Usage usage = llm.chat("review research and code", 250);
        ObjectNode ask = object().put("task_id", taskId).put("text", "review of " + taskId);
        JsonNode summary = summarize(JSON.writeValueAsBytes(ask));
        addUsage(summary); // a reply does not bring the responder's spend back: its payload does
        double cost =
            usage.costUsd()
                + result.path("cost_usd").asDouble()
                + otherResult.path("cost_usd").asDouble()
                + summary.path("cost_usd").asDouble();
        ObjectNode done =
            object()
                .put("task_id", taskId)
                .put("status", "done")
                .put("cost_usd", cost)
                .put("summary", summary.path("summary").asText());
        handOff(Roles.DONE, taskId, "", JSON.writeValueAsBytes(done));
        // Only now are the parts let go: a failure above redelivers this part, which finds the
        // other one still in the store.
        store.reviewed(taskId);
        log.info("review done for {}", taskId);
      } finally {
        review.end();
      }
    }

    /** Adds a result's own LLM usage to this message's conversation. */
    private static void addUsage(JsonNode result) {
      Conversation conversation = Conversation.current();
      if (conversation != null) {
        conversation.addUsage(
            Math.max(0, result.path("input_tokens").asLong()),
            Math.max(0, result.path("output_tokens").asLong()),
            Math.max(0, result.path("cost_usd").asDouble()));
      }
    }

    private static String encode(SpanContext context) {
      return context.getTraceId()
          + "-"
          + context.getSpanId()
          + "-"
          + context.getTraceFlags().asHex();
    }

    private static SpanContext decode(String text) {
      String[] fields = text.split("-");
      if (fields.length != 3) {
        return SpanContext.getInvalid();
      }
      return SpanContext.createFromRemoteParent(
          fields[0], fields[1], TraceFlags.fromHex(fields[2], 0), TraceState.getDefault());
    }

    /**
     * Asks the summarizer, again when no reply comes in time (a request or its reply lost in a
     * broker outage): a request is cheap to repeat, the review before it is not.
     */
    private JsonNode summarize(byte[] ask) throws Exception {
      for (int attempt = 1; ; attempt++) {
        try {
          state(AgentState.WAITING); // on the summarizer's reply
          Message reply;
          try {
            reply =
                bus.publisher()
                    .request(OutboundMessage.of(Roles.SUMMARIZE, ask), SUMMARY_TIMEOUT)
                    .get(SUMMARY_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
          } finally {
            state(AgentState.PROCESSING);
          }
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
                .put("cost_usd", usage.costUsd())
                .put("input_tokens", usage.inputTokens())
                .put("output_tokens", usage.outputTokens()));
      }
    }
  }

  /**
   * One of the pair {@code --loop} adds: takes a draft on one destination, makes one short LLM call
   * and hands it to the other, forever. Baton's loop breaker stops the pair at the third round (the
   * hop that closes it is refused) and reports the cycle.
   */
  static final class Bouncer extends Agent {
    private final String to;
    private final String purpose;

    Bouncer(
        String role,
        String from,
        String to,
        String purpose,
        Backplane backplane,
        OpenTelemetry otel,
        SwarmParts parts)
        throws Exception {
      super(role, backplane, otel, parts);
      this.to = to;
      this.purpose = purpose;
      track(bus.durableSubscriber().subscribe(from, role + "s", traced(this::bounce)));
    }

    private void bounce(Message message) throws Exception {
      JsonNode draft = JSON.readTree(message.payload());
      llm.chat(purpose, 40);
      Conversation conversation = Conversation.current();
      // Each round is a new message (the hop count tells them apart), not a retried duplicate.
      String round = "round-" + (conversation == null ? System.nanoTime() : conversation.hops());
      handOff(to, draft.path("task_id").asText(), round, message.payload());
      log.info("{} bounced {} on to {}", role, draft.path("task_id").asText(), to);
    }
  }
}
