/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.propagation.Conversation;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A simulated LLM: no network, a realistic latency spread (log-normal around the median), token
 * counts and cost, and a child span per call with the GenAI attributes a real client library would
 * set.
 */
final class Llm {

  /** What one call used. */
  record Usage(long inputTokens, long outputTokens, double costUsd) {}

  private final Tracer tracer;
  private final String agent;
  private final String model;
  private final double slowdown;
  private final AgentCosts costs;

  Llm(Tracer tracer, String agent, String model, double slowdown, AgentCosts costs) {
    this.tracer = tracer;
    this.agent = agent;
    this.model = model;
    this.slowdown = slowdown;
    this.costs = costs;
  }

  /** One call, as a CLIENT span {@code chat {model}} under the current span. */
  Usage chat(String purpose, int medianMillis) throws InterruptedException {
    return chat(purpose, medianMillis, 0);
  }

  /**
   * One call whose prompt carries {@code extraInputTokens} more (a whole codebase, say). Its tokens
   * reach the task's conversation from the span's {@code gen_ai.usage.*} attributes (the agent's
   * SDK runs Baton's {@code ConversationUsage}); its cost, which has no GenAI attribute, is added
   * here.
   */
  Usage chat(String purpose, int medianMillis, long extraInputTokens) throws InterruptedException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Span span =
        tracer
            .spanBuilder("chat " + model)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.provider.name", "simulated")
            .setAttribute("gen_ai.request.model", model)
            .setAttribute("gen_ai.agent.name", agent)
            .setAttribute("baton.demo.purpose", purpose)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      long input = 200 + random.nextInt(1800) + extraInputTokens;
      long output = 50 + random.nextInt(600);
      double millis = medianMillis * Math.exp(random.nextGaussian() * 0.5) * slowdown;
      Thread.sleep(Math.max(1, Math.min((long) millis, 20_000)));
      double cost = input * 0.15e-6 + output * 0.6e-6;
      span.setAttribute("gen_ai.response.model", model);
      span.setAttribute("gen_ai.usage.input_tokens", input);
      span.setAttribute("gen_ai.usage.output_tokens", output);
      span.setAttribute("baton.demo.cost_usd", cost);
      Usage usage = new Usage(input, output, cost);
      costs.llm(agent, usage);
      Conversation conversation = Conversation.current();
      if (conversation != null) {
        conversation.addUsage(0, 0, cost);
      }
      return usage;
    } catch (InterruptedException e) {
      span.setStatus(StatusCode.ERROR, "interrupted");
      throw e;
    } finally {
      span.end();
    }
  }
}
