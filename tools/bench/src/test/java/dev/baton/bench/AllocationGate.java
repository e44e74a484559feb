/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Bytes allocated per operation on the calling thread (the JVM's thread allocation counter), and
 * the check of a path against its {@link Budgets budget}. Not a timing: the figure is the same on a
 * slow machine as on a fast one, once the code is compiled.
 */
public final class AllocationGate {

  /** Operations run before measuring: enough for the JIT to compile the path. */
  public static final int WARMUP = 20_000;

  private static final int MEASURED = 4_000;
  private static final int ROUNDS = 5;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private AllocationGate() {}

  /** One operation of a path. */
  @FunctionalInterface
  public interface Op {
    void run() throws Exception;
  }

  /**
   * The fewest bytes per operation of each of {@code ops}, over five rounds of 4,000 taken in turn
   * (the first op, the second, …, then again) after {@code warmup} operations of each: the least is
   * a path's own cost, a round's excess a one-off (a buffer grown, a batch the client opened), and
   * taking them in turn exposes all to the same state of the client, the broker and the SDK's span
   * queue. {@code settle} runs, unmeasured, before each op's round: a client that buffers (Kafka's
   * producer) starts every round from the same state, so no round pays for buffers the one before
   * it left in flight.
   */
  public static double[] bytesPerOp(int warmup, Op settle, Op... ops) throws Exception {
    if (!THREADS.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("this JVM does not count allocations per thread");
    }
    THREADS.setThreadAllocatedMemoryEnabled(true);
    for (int i = 0; i < warmup; i++) {
      for (Op op : ops) {
        op.run();
      }
    }
    double[] least = new double[ops.length];
    java.util.Arrays.fill(least, Double.MAX_VALUE);
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < ops.length; i++) {
        settle.run();
        least[i] = Math.min(least[i], round(ops[i]));
      }
    }
    return least;
  }

  private static double round(Op op) throws Exception {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < MEASURED; i++) {
      op.run();
    }
    return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) MEASURED;
  }

  /**
   * {@code op} as a handler runs it for a message whose sender was not sampled: that context
   * current (what an agent's onward send pays at low sampling, on almost every message).
   */
  public static Op inUnsampledHandler(Op op) {
    return () -> {
      try (Scope ignored = Tracing.UNSAMPLED_SENDER.makeCurrent()) {
        op.run();
      }
    };
  }

  /**
   * The floor, Baton and, when {@code span} is given (a sampled path), the SDK's span alone,
   * measured in turn: what {@link #check} reads.
   */
  public static double[] floorBatonAndSpan(int warmup, Op floor, Op baton, @Nullable Op span)
      throws Exception {
    return floorBatonAndSpan(warmup, () -> {}, floor, baton, span);
  }

  /** {@link #floorBatonAndSpan(int, Op, Op, Op)}, each round after {@code settle}. */
  public static double[] floorBatonAndSpan(
      int warmup, Op settle, Op floor, Op baton, @Nullable Op span) throws Exception {
    return span == null
        ? bytesPerOp(warmup, settle, floor, baton)
        : bytesPerOp(warmup, settle, floor, baton, span);
  }

  /**
   * What the OpenTelemetry SDK allocates for a span its sampler drops at the root of a trace,
   * alone: the trace id and span id as strings, its span context and builder, which the
   * OpenTelemetry API makes before any sampler runs and every instrumentation that starts a trace
   * pays.
   */
  public static double droppedRootSpan(OpenTelemetry unsampled, SpanKind kind) throws Exception {
    Tracer tracer = unsampled.getTracer("gate");
    return bytesPerOp(
        WARMUP,
        () -> {},
        () -> tracer.spanBuilder("send gate").setSpanKind(kind).startSpan().end())[0];
  }

  /**
   * Prints how much of an unsampled root path's excess over its floor is the SDK's span for the
   * root its sampler drops ({@link #droppedRootSpan}), and Baton's own share of the rest.
   */
  public static void printRootShare(String path, double[] measured, double droppedRoot) {
    Budgets.Budget budget = Budgets.of(path, false);
    double over = measured[1] - measured[0];
    System.out.println(
        String.format(
            Locale.ROOT,
            "allocation gate: %-40s of the %+.0f B, the SDK's dropped root span %,.0f B (forced"
                + " by the API), Baton's own %+.0f B (target %d)",
            budget.label(),
            over,
            droppedRoot,
            over - droppedRoot,
            budget.target()));
  }

  /**
   * Fails when {@code path} allocates more than its budget per message over the floor, and prints
   * the figures either way (the CI log keeps them). {@code measured} is what {@link #bytesPerOp}
   * returned for the floor, Baton and, sampled, the SDK's span alone (which the floor then
   * includes).
   */
  public static void check(String path, boolean sampled, double[] measured) {
    Budgets.Budget budget = Budgets.of(path, sampled);
    double floor = measured[0] + (measured.length > 2 ? measured[2] : 0);
    double baton = measured[1];
    double over = baton - floor;
    String line =
        String.format(
            Locale.ROOT,
            "allocation gate: %-40s %,7.0f B/msg, floor %,7.0f, over %+6.0f (limit %d, target %d)",
            budget.label(),
            baton,
            floor,
            over,
            budget.limit(),
            budget.target());
    System.out.println(line);
    assertTrue(
        over <= budget.limit(),
        line + ": over its budget (dev.baton.bench.Budgets says why the budget is what it is)");
  }
}
