/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent graph as an SVG image: agents in columns by how many hand-offs they are from an agent
 * nobody sends to, a box per agent coloured by its heartbeats' status, an arrow per hand-off (red
 * where loops or budget stops were seen). Each agent is a {@code <g class="agent"
 * data-agent="...">}, each hand-off a {@code <g class="handoff" data-from="..." data-to="...">}.
 */
final class GraphSvg {

  static final int NODE_WIDTH = 200;
  static final int NODE_HEIGHT = 88;
  static final int COLUMN = 340;
  static final int ROW = 132;
  static final int MARGIN = 30;
  static final int TOP = 56;

  private GraphSvg() {}

  /** Where an agent's box sits. */
  record Box(int x, int y, int layer) {
    int centreX() {
      return x + NODE_WIDTH / 2;
    }

    int centreY() {
      return y + NODE_HEIGHT / 2;
    }
  }

  /** The boxes of every agent, by name. */
  static Map<String, Box> layout(AgentGraph.Snapshot graph) {
    List<String> names = new ArrayList<>();
    graph.agents().forEach(a -> names.add(a.name()));
    Map<String, List<String>> out = new HashMap<>();
    Map<String, Integer> incoming = new HashMap<>();
    for (AgentGraph.Handoff h : graph.handoffs()) {
      if (!h.from().equals(h.to())) {
        out.computeIfAbsent(h.from(), k -> new ArrayList<>()).add(h.to());
        incoming.merge(h.to(), 1, Integer::sum);
      }
    }
    Map<String, Integer> layer = new LinkedHashMap<>();
    List<String> roots = new ArrayList<>();
    for (String name : names) {
      if (!incoming.containsKey(name)) {
        roots.add(name);
      }
    }
    while (layer.size() < names.size()) {
      if (roots.isEmpty()) {
        // Everyone left sits on a cycle: start where the fewest hand-offs point backwards.
        roots.add(bestRoot(names, layer, out));
      }
      layer.putAll(layers(roots, layer, out));
      roots.clear();
    }
    Map<Integer, List<String>> columns = new HashMap<>();
    for (String name : names) { // names are sorted: so is each column
      columns.computeIfAbsent(layer.get(name), k -> new ArrayList<>()).add(name);
    }
    int rows = columns.values().stream().mapToInt(List::size).max().orElse(0);
    Map<String, Box> boxes = new LinkedHashMap<>();
    columns.forEach(
        (column, members) -> {
          int offset = (rows - members.size()) * ROW / 2;
          for (int i = 0; i < members.size(); i++) {
            boxes.put(
                members.get(i), new Box(MARGIN + column * COLUMN, TOP + offset + i * ROW, column));
          }
        });
    return boxes;
  }

  /** The layers BFS gives from {@code roots}, for the agents {@code placed} does not hold yet. */
  private static Map<String, Integer> layers(
      List<String> roots, Map<String, Integer> placed, Map<String, List<String>> out) {
    Map<String, Integer> layer = new LinkedHashMap<>();
    Deque<String> queue = new ArrayDeque<>();
    for (String root : roots) {
      layer.put(root, 0);
      queue.add(root);
    }
    while (!queue.isEmpty()) {
      String from = queue.poll();
      for (String to : out.getOrDefault(from, List.of())) {
        if (!placed.containsKey(to) && !layer.containsKey(to)) {
          layer.put(to, layer.get(from) + 1);
          queue.add(to);
        }
      }
    }
    return layer;
  }

  /**
   * Among the agents not yet placed, the one whose layering sends the fewest hand-offs backwards or
   * sideways (the one work starts from, in a swarm where results come back to it).
   */
  private static String bestRoot(
      List<String> names, Map<String, Integer> placed, Map<String, List<String>> out) {
    String best = null;
    long fewest = Long.MAX_VALUE;
    for (String candidate : names) {
      if (placed.containsKey(candidate)) {
        continue;
      }
      Map<String, Integer> layer = layers(List.of(candidate), placed, out);
      long backwards = 0;
      for (Map.Entry<String, Integer> from : layer.entrySet()) {
        for (String to : out.getOrDefault(from.getKey(), List.of())) {
          Integer target = layer.get(to);
          if (target != null && target <= from.getValue()) {
            backwards++;
          }
        }
      }
      long score = backwards * 1000 - layer.size(); // fewer backwards, then more agents reached
      if (score < fewest) {
        fewest = score;
        best = candidate;
      }
    }
    return best;
  }

  static String svg(AgentGraph.Snapshot graph) {
    Map<String, Box> boxes = layout(graph);
    int width = MARGIN * 2 + NODE_WIDTH;
    int height = TOP + MARGIN + NODE_HEIGHT;
    for (Box box : boxes.values()) {
      width = Math.max(width, box.x() + NODE_WIDTH + MARGIN);
      height = Math.max(height, box.y() + NODE_HEIGHT + MARGIN + 40);
    }
    for (AgentGraph.Handoff h : graph.handoffs()) {
      Box from = boxes.get(h.from());
      Box to = boxes.get(h.to());
      if (from != null && to != null && backwards(from, to)) {
        height += 24; // a lane below the boxes
      }
    }
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(width)
        .append(' ')
        .append(height)
        .append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
        .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n")
        .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\"")
        .append(" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">")
        .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"context-stroke\"/></marker></defs>\n")
        .append("<text x=\"")
        .append(MARGIN)
        .append("\" y=\"32\" font-size=\"18\" font-weight=\"bold\" fill=\"#263238\">")
        .append("Agent graph</text>\n")
        .append("<text x=\"")
        .append(MARGIN + 130)
        .append("\" y=\"32\" font-size=\"13\" fill=\"#607d8b\">")
        .append(graph.agents().size())
        .append(" agents, ")
        .append(graph.handoffs().size())
        .append(" hand-offs; figures over the last ")
        .append(graph.window().toSeconds())
        .append(" s</text>\n");
    StringBuilder labels = new StringBuilder();
    int lane = 0;
    int lowest = 0; // the bottom of the lowest box: lanes run below it
    for (Box box : boxes.values()) {
      lowest = Math.max(lowest, box.y() + NODE_HEIGHT);
    }
    for (AgentGraph.Handoff handoff : graph.handoffs()) {
      Box from = boxes.get(handoff.from());
      Box to = boxes.get(handoff.to());
      if (from != null && to != null) {
        edge(svg, labels, handoff, from, to, backwards(from, to) ? lane++ : 0, lowest);
      }
    }
    for (AgentGraph.Agent agent : graph.agents()) {
      node(svg, agent, boxes.get(agent.name()));
    }
    // Labels over everything, with a white halo, so boxes and lines never hide them.
    return svg.append(labels).append("</svg>\n").toString();
  }

  /** The fill and border of a box for a heartbeat status. */
  static String[] colours(String status) {
    if (status == null) {
      return new String[] {"#eceff1", "#607d8b"};
    }
    return switch (status) {
      case "HEALTHY" -> new String[] {"#e3f4e6", "#2e7d32"};
      case "DEGRADED" -> new String[] {"#fff6da", "#f9a825"};
      case "UNHEALTHY" -> new String[] {"#fde7ea", "#c62828"};
      default -> new String[] {"#eceff1", "#607d8b"};
    };
  }

  private static void node(StringBuilder svg, AgentGraph.Agent agent, Box box) {
    String[] colour = colours(agent.status());
    String name = escape(agent.name());
    svg.append("<g class=\"agent\" data-agent=\"")
        .append(name)
        .append("\">")
        .append("<title>")
        .append(name)
        .append("</title>")
        .append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"10\" fill=\"%s\""
                    + " stroke=\"%s\" stroke-width=\"2\"/>",
                box.x(),
                box.y(),
                NODE_WIDTH,
                NODE_HEIGHT,
                colour[0],
                colour[1]));
    int x = box.x() + 14;
    line(svg, x, box.y() + 26, 16, "bold", "#263238", name);
    line(
        svg,
        x,
        box.y() + 46,
        13,
        "normal",
        "#37474f",
        GraphText.rate(agent.handledPerSecond())
            + "/s handled · "
            + GraphText.percent(agent.errorShare()).replace("%", "% err"));
    line(
        svg,
        x,
        box.y() + 63,
        13,
        "normal",
        "#37474f",
        "p95 "
            + GraphText.duration(agent.handlerP95Seconds())
            + (agent.stops() > 0 ? " · " + agent.stops() + " stopped" : ""));
    String state =
        agent.status() == null
            ? "no heartbeat"
            : agent.status().toLowerCase(Locale.ROOT)
                + (agent.state() == null ? "" : " · " + escape(agent.state()));
    line(svg, x, box.y() + 80, 12, "normal", colour[1], state);
    svg.append("</g>\n");
  }

  /** Whether a hand-off runs back or sideways (drawn below the boxes, in a lane of its own). */
  private static boolean backwards(Box from, Box to) {
    return from != to && to.layer() <= from.layer();
  }

  private static void edge(
      StringBuilder svg,
      StringBuilder labels,
      AgentGraph.Handoff handoff,
      Box from,
      Box to,
      int lane,
      int lowest) {
    boolean trouble = handoff.loops() > 0 || handoff.stops() > 0;
    String colour = trouble ? "#c62828" : "#546e7a";
    double width = 1.5 + Math.min(4, Math.log1p(handoff.perSecond()));
    String path;
    int labelX;
    int labelY;
    if (from == to) {
      int x = from.x() + NODE_WIDTH - 30;
      int y = from.y();
      path =
          String.format(
              Locale.ROOT,
              "M%d,%d C%d,%d %d,%d %d,%d",
              x,
              y,
              x - 10,
              y - 50,
              x + 60,
              y - 40,
              x + 30,
              y);
      labelX = x + 70;
      labelY = y - 30;
    } else if (to.layer() > from.layer()) {
      int x1 = from.x() + NODE_WIDTH;
      int y1 = from.centreY();
      int x2 = to.x();
      int y2 = to.centreY();
      path =
          String.format(
              Locale.ROOT,
              "M%d,%d C%d,%d %d,%d %d,%d",
              x1,
              y1,
              (x1 + x2) / 2,
              y1,
              (x1 + x2) / 2,
              y2,
              x2,
              y2);
      labelX = (x1 + x2) / 2;
      labelY = (y1 + y2) / 2 - 8;
    } else {
      // Back or sideways: below the boxes, bottom to bottom.
      int x1 = from.centreX() + 20;
      int y1 = from.y() + NODE_HEIGHT;
      int x2 = to.centreX() - 20;
      int y2 = to.y() + NODE_HEIGHT;
      int dip = lowest + 40 + 24 * lane;
      path =
          String.format(Locale.ROOT, "M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1, dip, x2, dip, x2, y2);
      labelX = (x1 + x2) / 2;
      labelY = Math.max(y1, y2) + (dip - Math.max(y1, y2)) * 3 / 4 + 4;
    }
    String label =
        GraphText.rate(handoff.perSecond())
            + "/s · p95 "
            + GraphText.duration(handoff.deliveryP95Seconds())
            + (handoff.loops() > 0 ? " · " + handoff.loops() + " loops" : "")
            + (handoff.stops() > 0 ? " · " + handoff.stops() + " stopped" : "");
    svg.append("<g class=\"handoff\" data-from=\"")
        .append(escape(handoff.from()))
        .append("\" data-to=\"")
        .append(escape(handoff.to()))
        .append("\">")
        .append("<title>")
        .append(escape(handoff.from()))
        .append(" → ")
        .append(escape(handoff.to()))
        .append("</title>")
        .append(
            String.format(
                Locale.ROOT,
                "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\""
                    + " marker-end=\"url(#arrow)\"/>",
                path,
                colour,
                width));
    svg.append("</g>\n");
    labels.append(
        String.format(
            Locale.ROOT,
            "<text class=\"label\" x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"%s\""
                + " text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"4\""
                + " paint-order=\"stroke\">%s</text>\n",
            labelX,
            labelY,
            colour,
            escape(label)));
  }

  private static void line(
      StringBuilder svg, int x, int y, int size, String weight, String colour, String text) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" fill=\"%s\">%s</text>",
            x,
            y,
            size,
            weight,
            colour,
            text));
  }

  /** Escapes text for XML and HTML. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
