/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.propagation.Conversation;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.internal.DaemonThreads;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Takes tasks (from the swarm or from any outside caller on {@link Roles#SUBMIT}), records them,
 * fans them out to the researcher and the coder in parallel, and closes them when the reviewer
 * reports back. Any number of coordinators may run, in any processes sharing the task store: the
 * one that plans a task, the one that closes it and the one that submitted it may differ; the
 * submitter learns from the store that its task was closed.
 */
final class Coordinator extends Agent {

  /**
   * How a task ended.
   *
   * @param status {@code done}, {@code failed} (timed out) or {@code stopped} (by its budget)
   * @param reason why it was stopped ({@code budget_tokens at reviewer}), or empty
   * @param conversation its conversation's totals where this coordinator closed it, or {@code null}
   *     (closed by another coordinator, failed, stopped)
   */
  record Outcome(
      String taskId,
      String traceId,
      String status,
      long millis,
      double costUsd,
      String reason,
      ConversationLog.@Nullable Totals conversation) {

    /** The trace tree's title: {@code task-1-... done in 812 ms; conversation: 4 hops, ...}. */
    String describe() {
      return taskId
          + " "
          + status
          + (reason.isEmpty() ? "" : " (" + reason + ")")
          + " in "
          + millis
          + " ms"
          + (conversation == null
              ? ""
              : "; conversation"
                  + (conversation.id().equals(taskId) ? "" : " " + conversation.id())
                  + ": "
                  + conversation.describe());
    }
  }

  private record Pending(long startNanos, CompletableFuture<Outcome> done) {}

  private final TaskStore store;
  private final Consumer<Outcome> onFinished;
  private final Duration taskTimeout;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  // The task of each conversation this coordinator planned (an outside caller's task gets the id
  // Baton minted), so a budget stop reported by any agent in this process closes its task.
  private final Map<String, String> conversations = new ConcurrentHashMap<>();
  // How a task this coordinator is closing ended (its totals, or why it was stopped), kept before
  // the store says it is closed: the sweep, which completes tasks closed in the store, may get
  // there first.
  private final Map<String, Closing> closing = new ConcurrentHashMap<>();

  private record Closing(String reason, ConversationLog.@Nullable Totals totals) {}

  private final ConversationLog conversationLog;
  private final boolean loop;
  private final AtomicBoolean loopInjected = new AtomicBoolean();
  private final AtomicInteger counter = new AtomicInteger();
  private final ExecutorService submitter =
      Executors.newSingleThreadExecutor(DaemonThreads.named("baton-demo-submit"));

  Coordinator(
      Backplane backplane,
      OpenTelemetry otel,
      SwarmParts parts,
      Duration taskTimeout,
      Consumer<Outcome> onFinished)
      throws Exception {
    super(Roles.COORDINATOR, backplane, otel, parts);
    this.store = parts.store();
    this.taskTimeout = taskTimeout;
    this.onFinished = onFinished;
    this.conversationLog = parts.conversations();
    this.loop = parts.config().loop();
    conversationLog.onStop(this::stopped);
    track(bus.durableSubscriber().subscribe(Roles.SUBMIT, "coordinators", traced(this::plan)));
    track(bus.durableSubscriber().subscribe(Roles.DONE, "coordinators-done", traced(this::finish)));
  }

  /**
   * Submits a task as the swarm's own client, its conversation named after it; the future completes
   * when it is done, failed or stopped. A {@code large} task makes the coder read a whole codebase.
   */
  CompletableFuture<Outcome> submit(String prompt, boolean large) throws Exception {
    String taskId = newTaskId("task");
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    pending.put(taskId, new Pending(System.nanoTime(), done));
    ObjectNode task =
        object()
            .put("task_id", taskId)
            .put("prompt", prompt)
            .put("submitted_by", agentId)
            .put("submitted_at", System.currentTimeMillis())
            .put("large", large);
    OutboundMessage submission =
        Agent.handOffMessage(Roles.SUBMIT, taskId, "", JSON.writeValueAsBytes(task));
    // The task is one conversation, named after it; its budget (--budget) is added where the
    // coordinator takes it (Baton.Builder.addBudget on the submit topic), so outside callers'
    // tasks get it too.
    Context conversation = Conversation.begin(taskId);
    // Off the caller's thread: a Kafka producer blocks in send() while it has no metadata for the
    // topic (a broker outage), up to its max.block.ms.
    submitter.execute(conversation.wrap(() -> redrive(submission, 1)));
    return done;
  }

  /** A task id no other process makes: a counter, this agent's id and a clock reading. */
  private String newTaskId(String prefix) {
    return prefix
        + "-"
        + counter.incrementAndGet()
        + "-"
        + agentId.substring(Roles.COORDINATOR.length() + 1)
        + "-"
        + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  /**
   * Publishes a submission, and publishes it again (same id: JetStream drops a duplicate, the
   * coordinator ignores one on Kafka) every second while the broker does not acknowledge it, until
   * the task times out.
   */
  private void redrive(OutboundMessage message, int attempt) {
    CompletableFuture<?> sent;
    try {
      sent = bus.durablePublisher().publish(message);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (receipt, error) -> {
          if (error == null || attempt >= taskTimeout.toSeconds()) {
            return;
          }
          log.info("submission {} not acknowledged ({}), sending again", message.id(), error);
          CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, submitter)
              .execute(Context.current().wrap(() -> redrive(message, attempt + 1)));
        });
  }

  private void plan(Message message) throws Exception {
    JsonNode task = JSON.readTree(message.payload());
    String taskId = task.path("task_id").asText("");
    if (taskId.isEmpty()) {
      taskId = newTaskId("outside");
    }
    maybeFail("plan");
    String traceId = Span.current().getSpanContext().getTraceId();
    long submittedAt = task.path("submitted_at").asLong(0);
    if (task.path("submitted_by").asText("").isEmpty()) {
      // An outside caller's task: this coordinator follows it (and prints its trace).
      pending.computeIfAbsent(
          taskId, id -> new Pending(System.nanoTime(), new CompletableFuture<>()));
    }
    store.started(
        taskId, traceId, submittedAt > 0 ? Instant.ofEpochMilli(submittedAt) : Instant.now());
    Conversation conversation = Conversation.current();
    if (conversation != null) {
      conversations.put(conversation.id(), taskId);
    }
    llm.chat("plan the task", 100);
    byte[] work =
        JSON.writeValueAsBytes(
            object()
                .put("task_id", taskId)
                .put("prompt", task.path("prompt").asText(""))
                .put("large", task.path("large").asBoolean(false)));
    // Fan out: the researcher and the coder work in parallel.
    handOff(Roles.RESEARCH, taskId, "", work);
    handOff(Roles.CODE, taskId, "", work);
    if (loop && loopInjected.compareAndSet(false, true)) {
      // --loop: the first task's draft also goes to a critic that never stops finding flaws.
      handOff(Roles.CRITIQUE, taskId, "", work);
    }
    log.info("task {} planned and handed to researcher and coder", taskId);
  }

  private void finish(Message message) throws Exception {
    JsonNode done = JSON.readTree(message.payload());
    String taskId = done.path("task_id").asText();
    // Closed in the store first (exactly once, whichever coordinator gets here): when the store
    // fails, the broker redelivers and the task is still running.
    // The conversation ends here: its totals (every hop's tokens and cost, as they travelled with
    // the work) go to the summary and to the baton.conversation.* histograms.
    Conversation conversation = Conversation.current();
    ConversationLog.Totals totals =
        conversation == null ? null : ConversationLog.Totals.of(conversation);
    closing.put(taskId, new Closing("", totals));
    TaskStore.TaskRecord closed;
    try {
      closed = store.finished(taskId, "done", Instant.now(), done.path("cost_usd").asDouble());
    } catch (Exception e) {
      closing.remove(taskId);
      throw e;
    }
    if (closed == null) {
      closing.remove(taskId);
      return; // already closed: a duplicate, or it timed out
    }
    if (conversation != null) {
      conversation.done();
      conversationLog.done(totals);
      conversations.remove(conversation.id());
    }
    log.info(
        "task {} done in {} ms, ${}",
        taskId,
        closed.durationMillis(),
        String.format("%.5f", closed.costUsd()));
    // When it is this coordinator's; its submitter finds it in the store otherwise.
    complete(closed);
  }

  /**
   * A message Baton refused in this process: when it was over a task's budget, the task cannot
   * finish (a branch of its work was dropped), so it is closed as stopped, with the reason. A loop
   * stop drops only the looping branch (here the critique) and the task goes on.
   */
  private void stopped(ConversationLog.Stop stop) {
    String taskId = conversations.get(stop.conversationId());
    if (taskId == null || !stop.reason().startsWith("budget_")) {
      return;
    }
    // Off the refusing agent's receive thread: the store is a database.
    submitter.execute(
        () -> {
          closing.put(taskId, new Closing(stop.reason() + " at " + stop.agent(), null));
          try {
            TaskStore.TaskRecord closed = store.finished(taskId, "stopped", Instant.now(), 0);
            if (closed != null) {
              conversations.remove(stop.conversationId());
              log.info("task {} stopped: {} at {}", taskId, stop.reason(), stop.agent());
              complete(closed);
            } else {
              closing.remove(taskId);
            }
          } catch (Exception e) {
            closing.remove(taskId);
            log.warn("could not record {} as stopped: {}", taskId, e.toString());
          }
        });
  }

  /**
   * Completes a task this coordinator follows, once, with how it ended when this coordinator closed
   * it.
   */
  private void complete(TaskStore.TaskRecord record) {
    Pending task = pending.remove(record.id());
    Closing how = closing.remove(record.id());
    if (task == null) {
      return;
    }
    String reason = how == null ? "" : how.reason();
    ConversationLog.Totals totals = how == null ? null : how.totals();
    Outcome outcome =
        new Outcome(
            record.id(),
            record.traceId(),
            record.status(),
            record.durationMillis(),
            record.costUsd(),
            reason,
            totals);
    task.done.complete(outcome);
    onFinished.accept(outcome);
  }

  /**
   * Completes the tasks this coordinator follows that another coordinator closed, and fails those
   * older than the task timeout (a message lost for good, say).
   */
  void sweep() {
    if (pending.isEmpty()) {
      return;
    }
    try {
      store.closed(pending.keySet()).values().forEach(this::complete);
    } catch (Exception e) {
      log.warn("could not read the task store: {}", e.toString());
      return;
    }
    long now = System.nanoTime();
    pending.forEach(
        (taskId, task) -> {
          if (now - task.startNanos <= taskTimeout.toNanos()) {
            return;
          }
          try {
            TaskStore.TaskRecord failed = store.finished(taskId, "failed", Instant.now(), 0);
            if (failed != null) {
              complete(failed);
            } else if (store.closed(List.of(taskId)).isEmpty()) {
              // Never planned: the store has no row for it.
              long millis = (now - task.startNanos) / 1_000_000;
              complete(new TaskStore.TaskRecord(taskId, "", "failed", millis, 0));
            } // else closed by another coordinator meanwhile: the next sweep completes it
          } catch (Exception e) {
            log.warn("could not record {} as failed: {}", taskId, e.toString());
          }
        });
  }

  @Override
  public void close() {
    submitter.shutdownNow();
    super.close();
  }
}
