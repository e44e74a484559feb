/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the JMH results ({@code -rf json}) as the table the README shows: each benchmark's time
 * and allocation per operation, its ratio to the floor of its group, and the budget it is held to.
 *
 * <p>{@code java ... dev.baton.bench.Report bench/target/jmh.json}
 */
public final class Report {

  private record Result(double nanos, double nanosError, double bytes) {}

  /** The JMH benchmark each budget of {@link Budgets} reads (Kafka receive has none here). */
  private static final Map<String, String> GROUPS =
      Map.of(
          Budgets.NATS_PUBLISH, "NatsPublishBenchmark",
          Budgets.NATS_PUBLISH_ONWARD, "NatsPublishBenchmark",
          Budgets.NATS_RECEIVE, "NatsReceiveBenchmark",
          Budgets.KAFKA_SEND, "KafkaSendBenchmark",
          Budgets.KAFKA_SEND_ONWARD, "KafkaSendBenchmark");

  private Report() {}

  public static void main(String[] args) throws Exception {
    JsonNode runs = new ObjectMapper().readTree(new File(args[0]));
    Map<String, Result> results = new LinkedHashMap<>();
    for (JsonNode run : runs) {
      String name = run.get("benchmark").asText().replaceFirst(".*\\.(\\w+\\.\\w+)$", "$1");
      JsonNode primary = run.get("primaryMetric");
      double scale = primary.get("scoreUnit").asText().startsWith("us") ? 1000 : 1;
      JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm");
      results.put(
          name,
          new Result(
              primary.get("score").asDouble() * scale,
              primary.get("scoreError").asDouble() * scale,
              alloc.isMissingNode() ? Double.NaN : alloc.get("score").asDouble()));
    }
    System.out.printf(
        Locale.ROOT,
        "%-52s %12s %10s %10s %9s %9s%n",
        "benchmark (JMH, one run)",
        "ns/op",
        "±",
        "B/op",
        "x floor",
        "B x floor");
    String group = "";
    for (Map.Entry<String, Result> entry : results.entrySet()) {
      String name = entry.getKey();
      String thisGroup = name.substring(0, name.indexOf('.'));
      if (!thisGroup.equals(group)) {
        group = thisGroup;
        System.out.println();
      }
      Result floor = results.get(thisGroup + "." + floorOf(name));
      Result r = entry.getValue();
      System.out.printf(
          Locale.ROOT,
          "%-52s %,12.1f %,10.1f %,10.0f %9s %9s%n",
          name,
          r.nanos,
          r.nanosError,
          r.bytes,
          floor == null ? "" : String.format(Locale.ROOT, "%.2f", r.nanos / floor.nanos),
          floor == null || floor.bytes < 1
              ? "—"
              : String.format(Locale.ROOT, "%.2f", r.bytes / floor.bytes));
    }
    System.out.printf(
        Locale.ROOT,
        "%nBudgets (dev.baton.bench.Budgets: B/op over the floor; sampled: over the floor and"
            + " the SDK's span alone. JMH counts every thread, the gate only the sending or"
            + " handling one, so on Kafka, whose I/O thread allocates per record, these read"
            + " higher than the gate's)%n");
    for (Budgets.Budget budget : Budgets.ALL) {
      String benchmark = GROUPS.get(budget.path());
      Result subject =
          benchmark == null
              ? null
              : results.get(
                  benchmark
                      + "."
                      + (budget.sampled() ? "batonSampled" : "batonUnsampled")
                      + (budget.path().endsWith(" onward") ? "Onward" : ""));
      Result floor = benchmark == null ? null : results.get(benchmark + ".rawWithTraceparent");
      // Each group's own span alone: a CONSUMER span with its link on receive.
      Result span = benchmark == null ? null : results.get(benchmark + ".sdkSpanAlone");
      if (subject == null || floor == null || (budget.sampled() && span == null)) {
        continue;
      }
      double over = subject.bytes - floor.bytes - (budget.sampled() ? span.bytes : 0);
      System.out.printf(
          Locale.ROOT,
          "%-44s alloc %+7.0f B (target %+5d, gate limit %+5d) %s%n",
          budget.label(),
          over,
          budget.target(),
          budget.limit(),
          over <= budget.target() ? "target met" : "above target");
    }
    conversations(results);
    Result withoutCost = results.get("NatsReceiveBenchmark.batonSampledWithoutHandlerCost");
    Result withCost = results.get("NatsReceiveBenchmark.batonSampled");
    Result exemplars = results.get("NatsReceiveBenchmark.batonSampledWithMetricsAndExemplars");
    Result plainMetrics = results.get("NatsReceiveBenchmark.batonSampledWithMetrics");
    Result withCpu = results.get("NatsReceiveBenchmark.batonSampledWithCpuTime");
    if (withoutCost != null && withCost != null) {
      System.out.printf(
          Locale.ROOT,
          "Handler allocations measured (the default) add on receive: %+.0f ns %+.0f B%n",
          withCost.nanos - withoutCost.nanos,
          withCost.bytes - withoutCost.bytes);
    }
    if (withoutCost != null && withCpu != null) {
      System.out.printf(
          Locale.ROOT,
          "Handler allocations and CPU time measured add on receive: %+.0f ns %+.0f B%n",
          withCpu.nanos - withoutCost.nanos,
          withCpu.bytes - withoutCost.bytes);
    }
    if (exemplars != null && plainMetrics != null) {
      System.out.printf(
          Locale.ROOT,
          "Exemplars (TraceExemplars registry) add on receive with metrics: %+.0f ns %+.0f B%n",
          exemplars.nanos - plainMetrics.nanos,
          exemplars.bytes - plainMetrics.bytes);
    }
    Result sampled = results.get("NatsPublishBenchmark.batonSampled");
    Result metrics = results.get("NatsPublishBenchmark.batonSampledWithMetrics");
    Result received = results.get("NatsReceiveBenchmark.batonSampled");
    Result receivedMetrics = results.get("NatsReceiveBenchmark.batonSampledWithMetrics");
    if (sampled != null && metrics != null && received != null && receivedMetrics != null) {
      System.out.printf(
          Locale.ROOT,
          "BackplaneMetrics attached adds: publish %+.0f ns %+.0f B, receive %+.0f ns %+.0f B%n",
          metrics.nanos - sampled.nanos,
          metrics.bytes - sampled.bytes,
          receivedMetrics.nanos - received.nanos,
          receivedMetrics.bytes - received.bytes);
    }
  }

  /**
   * What conversations add (on, inside one) over the same path with them off, in the same run: each
   * pair is the conversation row and its row without.
   */
  private static void conversations(Map<String, Result> results) {
    String[][] pairs = {
      {
        "NatsPublishBenchmark.batonConversationUnsampledOnward",
        "NatsPublishBenchmark.batonUnsampledOnward",
        "NATS publish, unsampled onward"
      },
      {
        "NatsPublishBenchmark.batonConversationSampled",
        "NatsPublishBenchmark.batonSampled",
        "NATS publish, sampled"
      },
      {
        "NatsReceiveBenchmark.batonConversationUnsampled",
        "NatsReceiveBenchmark.batonUnsampled",
        "NATS receive, unsampled"
      },
      {
        "NatsReceiveBenchmark.batonConversationSampled",
        "NatsReceiveBenchmark.batonSampled",
        "NATS receive, sampled"
      },
      {
        "KafkaSendBenchmark.batonConversationUnsampledOnward",
        "KafkaSendBenchmark.batonUnsampledOnward",
        "Kafka send, unsampled onward"
      },
      {
        "KafkaSendBenchmark.batonConversationSampled",
        "KafkaSendBenchmark.batonSampled",
        "Kafka send, sampled"
      },
    };
    boolean header = false;
    for (String[] pair : pairs) {
      Result on = results.get(pair[0]);
      Result off = results.get(pair[1]);
      if (on == null || off == null) {
        continue;
      }
      if (!header) {
        System.out.printf(
            Locale.ROOT,
            "Conversations on (inside one with totals, a budget and a trail) add, over the same"
                + " path off:%n");
        header = true;
      }
      System.out.printf(
          Locale.ROOT,
          "  %-32s %+7.0f B/op %+9.0f ns/op%n",
          pair[2],
          on.bytes - off.bytes,
          on.nanos - off.nanos);
    }
  }

  /** The floor a benchmark is compared with: the raw client with one traceparent. */
  private static String floorOf(String name) {
    if (name.startsWith("NatsAckedBenchmark.")) {
      return name.contains("JetStream")
          ? "rawJetStreamPublishWithTraceparent"
          : "rawRequestWithTraceparent";
    }
    if (name.startsWith("ListenerPathBenchmark.")) {
      return "baselineCounterIncrement";
    }
    return "rawWithTraceparent";
  }
}
