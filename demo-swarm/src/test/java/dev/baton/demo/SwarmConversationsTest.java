/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.Await;
import dev.baton.testing.DocBlock;
import dev.baton.testing.NatsServerExtension;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo's conversations on both brokers, as {@code --loop --budget tokens=20000} runs them: each
 * task is a conversation whose totals add up to what its LLM calls spent; a large task goes over
 * the budget and is stopped at the reviewer with the reason; the critic and the reviser that bounce
 * the first task's draft are stopped at the third round and reported; the trees say all of it.
 */
class SwarmConversationsTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final AttributeKey<Long> INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.input_tokens");
  private static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  private static final AttributeKey<Double> COST = AttributeKey.doubleKey("baton.demo.cost_usd");
  private static final AttributeKey<String> CONVERSATION =
      AttributeKey.stringKey("gen_ai.conversation.id");
  private static final AttributeKey<String> REFUSED = AttributeKey.stringKey("baton.refused");

  @Test
  void onARealNatsServer() throws Exception {
    run("--transport", "nats", "--nats-url", NATS.url());
  }

  @Test
  void onTheEmbeddedKafkaBroker() throws Exception {
    run();
  }

  private void run(String... broker) throws Exception {
    List<String> args = new ArrayList<>(List.of(broker));
    args.addAll(
        List.of(
            "--port",
            "0",
            "--failure-rate",
            "0",
            "--loop",
            "--budget",
            "tokens=20000",
            "--rate",
            "5"));
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    ByteArrayOutputStream trees = new ByteArrayOutputStream();
    String summary;
    Coordinator.Outcome first;
    Coordinator.Outcome large;
    Coordinator.Outcome plain;
    Swarm swarm =
        Swarm.start(
            SwarmConfig.parse(args, null),
            spans,
            new PrintStream(trees, true, StandardCharsets.UTF_8));
    try {
      first = outcome(swarm, swarm.submit("explain the lag alert"), "the first task");
      large = outcome(swarm, swarm.submit("rewrite the monolith", true), "the large task");
      plain = outcome(swarm, swarm.submit("write a parser"), "the third task");
      try {
        Await.until(
            "the loop stopped",
            Duration.ofSeconds(30),
            () -> !swarm.conversations().loops().isEmpty());
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + "; stops "
                + swarm.conversations().stops()
                + "; threads:\n"
                + threads(),
            e);
      }
      assertThat(swarm.awaitTreesPrinted(Duration.ofSeconds(20))).isTrue();

      // Every task is a conversation named after it; done ones carry their totals.
      assertThat(first.status()).isEqualTo("done");
      assertThat(plain.status()).isEqualTo("done");
      for (Coordinator.Outcome done : List.of(first, plain)) {
        assertThat(done.conversation().id()).isEqualTo(done.taskId());
        // submit, research or code, review, done; the coordinator, that branch's worker, the
        // reviewer (the other branch's spend the reviewer adds; its agent is not in the count)
        assertThat(done.conversation().hops()).isEqualTo(4);
        assertThat(done.conversation().agents()).isEqualTo(3);
      }
      // The plain task's totals are exactly what its LLM calls spent, every agent's: the tokens
      // from the chat spans' gen_ai.usage.* (ConversationUsage), the cost added by the demo's
      // LLM client, the other branch and the summarizer's reply added by the reviewer.
      List<SpanData> chats =
          spans.getFinishedSpanItems().stream()
              .filter(s -> s.getTraceId().equals(plain.traceId()))
              .filter(s -> s.getAttributes().get(INPUT_TOKENS) != null)
              .toList();
      assertThat(chats).as("plan, 2 research, 2 code, review, summary").hasSize(7);
      long tokens =
          chats.stream()
              .mapToLong(
                  s -> s.getAttributes().get(INPUT_TOKENS) + s.getAttributes().get(OUTPUT_TOKENS))
              .sum();
      double cost = chats.stream().mapToDouble(s -> s.getAttributes().get(COST)).sum();
      assertThat(plain.conversation().tokens()).isEqualTo(tokens);
      assertThat(plain.conversation().cost()).isCloseTo(cost, Offset.offset(1e-5));

      // The large task went over its budget where the coder handed it on, and was stopped there.
      assertThat(large.status()).isEqualTo("stopped");
      assertThat(large.reason()).isEqualTo("budget_tokens at reviewer");
      SpanData refused =
          spans.getFinishedSpanItems().stream()
              .filter(s -> s.getTraceId().equals(large.traceId()))
              .filter(s -> s.getAttributes().get(REFUSED) != null)
              .findFirst()
              .orElseThrow();
      assertThat(refused.getName()).isEqualTo("process " + Roles.REVIEW);
      assertThat(refused.getAttributes().get(REFUSED)).isEqualTo("budget_tokens");
      assertThat(refused.getAttributes().get(CONVERSATION)).isEqualTo(large.taskId());
      assertThat(
              refused.getAttributes().get(AttributeKey.longKey("baton.conversation.input_tokens")))
          .isGreaterThan(20_000L);

      // The pair bouncing the first task's draft: stopped at the hop that closed the third round.
      assertThat(swarm.conversations().loops())
          .singleElement()
          .satisfies(
              loop -> {
                assertThat(loop.cycle()).isEqualTo("critic>reviser");
                assertThat(loop.conversationId()).isEqualTo(first.taskId());
                assertThat(loop.stopped()).isTrue();
              });
      assertThat(swarm.conversations().stops())
          .extracting(ConversationLog.Stop::reason)
          .containsExactlyInAnyOrder("budget_tokens", "loop");

      String metrics = get(swarm, "/metrics");
      assertThat(metrics)
          .containsPattern(
              "baton_refused_messages_total\\{[^}]*messaging_destination_name=\"agents.review\""
                  + "[^}]*reason=\"budget_tokens\"[^}]*} 1.0")
          .containsPattern(
              "baton_conversation_loops_total\\{action=\"stopped\",cycle=\"critic>reviser\"[^}]*}"
                  + " 1.0")
          .containsPattern("baton_conversation_tokens_count\\{[^}]*} 2(\\.0)?\\n");

      ByteArrayOutputStream section = new ByteArrayOutputStream();
      swarm.conversations().print(new PrintStream(section, true, StandardCharsets.UTF_8));
      summary = section.toString(StandardCharsets.UTF_8);
    } finally {
      // A close that hangs says where.
      Thread watchdog =
          new Thread(
              () -> {
                try {
                  Thread.sleep(15_000);
                  System.err.println("close takes more than 15 s; threads:\n" + threads());
                } catch (InterruptedException e) {
                  // closed in time
                }
              });
      watchdog.setDaemon(true);
      watchdog.start();
      swarm.close();
      watchdog.interrupt();
    }

    String printed = trees.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains(
            first.taskId()
                + " done in "
                + first.millis()
                + " ms; conversation: "
                + first.conversation().describe())
        .contains(large.taskId() + " stopped (budget_tokens at reviewer) in ")
        .containsPattern(
            "process agents.review +\\d+ ms  REFUSED: budget_tokens \\(the conversation so far:"
                + " [\\d,]+ tokens\\)")
        .containsPattern("reviser\\S* +process agents.revise +\\d+ ms  REFUSED: loop");
    assertThat(summary)
        .containsPattern("conversations +2 done, 2 stopped by Baton")
        .containsPattern("  tokens +[\\d,]+ / [\\d,]+\\n")
        .containsPattern(
            "stopped +"
                + Pattern.quote(large.taskId())
                + " at reviewer on agents.review:"
                + " budget_tokens\\n")
        .containsPattern(
            "loop +critic>reviser in "
                + Pattern.quote(first.taskId())
                + " at reviser on agents.revise, stopped\\n");
    if (broker.length == 0) { // docs/conversations.md shows this run, on the embedded Kafka broker
      Path page = Path.of("../docs/conversations.md");
      DocBlock.of(page, "conversation-trees").isShapedLike(printed);
      DocBlock.of(page, "loop-refused").isShapedLike(printed);
      DocBlock.of(page, "conversation-summary").isShapedLike(summary);
    }
  }

  /** What each thread of the run does now, for a failure's message. */
  private static String threads() {
    StringBuilder out = new StringBuilder();
    Thread.getAllStackTraces()
        .forEach(
            (thread, stack) -> {
              out.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
              for (int i = 0; i < Math.min(stack.length, 14); i++) {
                out.append("    at ").append(stack[i]).append('\n');
              }
            });
    return out.toString();
  }

  /** The task's outcome, or a failure that says which task did not end and what the run saw. */
  private static Coordinator.Outcome outcome(
      Swarm swarm, CompletableFuture<Coordinator.Outcome> task, String which) throws Exception {
    try {
      return task.get(15, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          which
              + " did not end in 15 s; stops "
              + swarm.conversations().stops()
              + ", loops "
              + swarm.conversations().loops()
              + ", store "
              + swarm.store().all(),
          e);
    }
  }

  private static String get(Swarm swarm, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + swarm.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
