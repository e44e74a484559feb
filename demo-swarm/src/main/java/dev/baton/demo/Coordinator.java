package dev.baton.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.transport.Message;
import dev.baton.transport.OutboundMessage;
import dev.baton.transport.internal.DaemonThreads;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Takes tasks (from the swarm or from any outside caller on {@link Roles#SUBMIT}), records them,
 * fans them out to the researcher and the coder in parallel, and closes them when the reviewer
 * reports back.
 */
final class Coordinator extends Agent {

  /** How a task ended. */
  record Outcome(String taskId, String traceId, String status, long millis, double costUsd) {}

  private record Pending(long startNanos, Instant submitted, CompletableFuture<Outcome> done) {}

  private final TaskStore store;
  private final Consumer<Outcome> onFinished;
  private final Duration taskTimeout;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, String> traces = new ConcurrentHashMap<>();
  private final AtomicInteger counter = new AtomicInteger();
  private final ExecutorService submitter =
      Executors.newSingleThreadExecutor(DaemonThreads.named("baton-demo-submit"));

  Coordinator(
      Backplane backplane,
      OpenTelemetry otel,
      SwarmParts parts,
      TaskStore store,
      Duration taskTimeout,
      Consumer<Outcome> onFinished)
      throws Exception {
    super(Roles.COORDINATOR, backplane, otel, parts);
    this.store = store;
    this.taskTimeout = taskTimeout;
    this.onFinished = onFinished;
    track(bus.durableSubscriber().subscribe(Roles.SUBMIT, "coordinators", traced(this::plan)));
    track(bus.durableSubscriber().subscribe(Roles.DONE, "coordinators-done", traced(this::finish)));
  }

  /** Submits a task as the swarm's own client; the future completes when it is done or failed. */
  CompletableFuture<Outcome> submit(String prompt) throws Exception {
    String taskId =
        "task-" + counter.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    pending.put(taskId, new Pending(System.nanoTime(), Instant.now(), done));
    ObjectNode task = object().put("task_id", taskId).put("prompt", prompt);
    OutboundMessage submission =
        OutboundMessage.of(Roles.SUBMIT, JSON.writeValueAsBytes(task))
            .withId(Roles.SUBMIT + ":" + taskId);
    // Off the caller's thread: a Kafka producer blocks in send() while it has no metadata for the
    // topic (a broker outage), up to its max.block.ms.
    submitter.execute(() -> redrive(submission, 1));
    return done;
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
              .execute(() -> redrive(message, attempt + 1));
        });
  }

  private void plan(Message message) throws Exception {
    JsonNode task = JSON.readTree(message.payload());
    String taskId = task.path("task_id").asText("");
    if (taskId.isEmpty()) {
      taskId =
          "outside-"
              + counter.incrementAndGet()
              + "-"
              + Long.toHexString(System.nanoTime() & 0xffffff);
    }
    maybeFail("plan");
    String traceId = Span.current().getSpanContext().getTraceId();
    pending.computeIfAbsent(
        taskId, id -> new Pending(System.nanoTime(), Instant.now(), new CompletableFuture<>()));
    traces.put(taskId, traceId);
    store.started(taskId, traceId, Instant.now());
    llm.chat("plan the task", 100);
    byte[] work =
        JSON.writeValueAsBytes(
            object().put("task_id", taskId).put("prompt", task.path("prompt").asText("")));
    // Fan out: the researcher and the coder work in parallel.
    handOff(Roles.RESEARCH, taskId, work);
    handOff(Roles.CODE, taskId, work);
    log.info("task {} planned and handed to researcher and coder", taskId);
  }

  private void finish(Message message) throws Exception {
    JsonNode done = JSON.readTree(message.payload());
    String taskId = done.path("task_id").asText();
    Pending task = pending.get(taskId);
    if (task == null) {
      return; // already finished (a duplicate) or timed out
    }
    long millis = (System.nanoTime() - task.startNanos) / 1_000_000;
    double cost = done.path("cost_usd").asDouble();
    String traceId = traces.getOrDefault(taskId, Span.current().getSpanContext().getTraceId());
    // Recorded first: when the store fails, the broker redelivers and the task is still pending.
    store.finished(taskId, "done", Instant.now(), millis, cost);
    if (!pending.remove(taskId, task)) {
      return; // finished meanwhile by a duplicate, or timed out
    }
    Outcome outcome = new Outcome(taskId, traceId, "done", millis, cost);
    log.info("task {} done in {} ms, ${}", taskId, millis, String.format("%.5f", cost));
    traces.remove(taskId);
    task.done.complete(outcome);
    onFinished.accept(outcome);
  }

  /** Marks tasks older than the task timeout failed (a message lost for good, say). */
  void sweep() {
    long now = System.nanoTime();
    pending.forEach(
        (taskId, task) -> {
          if (now - task.startNanos > taskTimeout.toNanos() && pending.remove(taskId, task)) {
            long millis = (now - task.startNanos) / 1_000_000;
            String traceId = traces.getOrDefault(taskId, "");
            try {
              store.finished(taskId, "failed", Instant.now(), millis, 0);
            } catch (Exception e) {
              log.warn("could not record {} as failed: {}", taskId, e.toString());
            }
            Outcome outcome = new Outcome(taskId, traceId, "failed", millis, 0);
            traces.remove(taskId);
            task.done.complete(outcome);
            onFinished.accept(outcome);
          }
        });
  }

  @Override
  public void close() {
    submitter.shutdownNow();
    super.close();
  }
}
