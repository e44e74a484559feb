/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.util.Locale;

/** The agent graph as text and the figures' formats, shared by its text, image and page. */
final class GraphText {

  private GraphText() {}

  static String text(AgentGraph.Snapshot graph) {
    StringBuilder out = new StringBuilder();
    out.append("Agent graph (figures over the last ")
        .append(graph.window().toSeconds())
        .append(" s)\n");
    int width = 5;
    for (AgentGraph.Agent agent : graph.agents()) {
      width = Math.max(width, agent.name().length());
    }
    out.append(
        String.format(
            Locale.ROOT,
            "  %-" + width + "s  %-9s  %-8s  %10s  %7s  %11s%n",
            "agent",
            "status",
            "state",
            "handled/s",
            "errors",
            "p95 handler"));
    for (AgentGraph.Agent agent : graph.agents()) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %-" + width + "s  %-9s  %-8s  %10s  %7s  %11s%n",
              agent.name(),
              agent.status() == null ? "-" : agent.status(),
              agent.state() == null ? "-" : agent.state(),
              rate(agent.handledPerSecond()),
              percent(agent.errorShare()),
              duration(agent.handlerP95Seconds())));
    }
    int pair = 8;
    for (AgentGraph.Handoff handoff : graph.handoffs()) {
      pair = Math.max(pair, handoff.from().length() + 4 + handoff.to().length());
    }
    out.append(
        String.format(
            Locale.ROOT,
            "  %-" + pair + "s  %8s  %12s  %8s  %5s  %5s%n",
            "hand-off",
            "msg/s",
            "p95 delivery",
            "messages",
            "loops",
            "stops"));
    for (AgentGraph.Handoff handoff : graph.handoffs()) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %-" + pair + "s  %8s  %12s  %8d  %5d  %5d%n",
              handoff.from() + " -> " + handoff.to(),
              rate(handoff.perSecond()),
              duration(handoff.deliveryP95Seconds()),
              handoff.messages(),
              handoff.loops(),
              handoff.stops()));
    }
    if (graph.handoffs().isEmpty()) {
      out.append("  (no hand-offs yet)\n");
    }
    return out.toString();
  }

  /** Messages per second: two decimals below 10, one below 100, none above. */
  static String rate(double perSecond) {
    if (perSecond < 10) {
      return String.format(Locale.ROOT, "%.2f", perSecond);
    }
    return String.format(Locale.ROOT, perSecond < 100 ? "%.1f" : "%.0f", perSecond);
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f %%", share * 100);
  }

  /** A duration in seconds as µs, ms or s; {@code -} for none. */
  static String duration(double seconds) {
    if (Double.isNaN(seconds)) {
      return "-";
    }
    if (seconds < 0.001) {
      return String.format(Locale.ROOT, "%.0f µs", seconds * 1e6);
    }
    if (seconds < 1) {
      return String.format(Locale.ROOT, seconds < 0.01 ? "%.1f ms" : "%.0f ms", seconds * 1e3);
    }
    return String.format(Locale.ROOT, "%.1f s", seconds);
  }
}
