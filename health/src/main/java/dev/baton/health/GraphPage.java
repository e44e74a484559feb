/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import static dev.baton.health.GraphSvg.escape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agent graph as a page a browser shows (refreshed every 5 s) and as JSON. */
final class GraphPage {

  private GraphPage() {}

  static String html(AgentGraph.Snapshot graph) {
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"5\">")
        .append("<title>Baton agent graph</title><style>")
        .append("body{margin:0;font-family:Helvetica,Arial,sans-serif;color:#263238}")
        .append("svg{display:block}table{border-collapse:collapse;margin:8px 30px 24px}")
        .append("th,td{padding:3px 10px;text-align:right;font-size:13px}")
        .append("th:first-child,td:first-child{text-align:left}")
        .append("thead{border-bottom:1px solid #b0bec5}</style></head><body>\n")
        .append(GraphSvg.svg(graph))
        .append("<table id=\"agents\"><thead><tr><th>agent</th><th>status</th><th>state</th>")
        .append("<th>handled/s</th><th>errors</th><th>p95 handler</th><th>handled</th>")
        .append("<th>sent</th><th>stopped</th></tr></thead><tbody>\n");
    for (AgentGraph.Agent a : graph.agents()) {
      html.append("<tr class=\"agent\"><td>")
          .append(escape(a.name()))
          .append("</td><td>")
          .append(a.status() == null ? "-" : a.status())
          .append("</td><td>")
          .append(a.state() == null ? "-" : escape(a.state()))
          .append("</td><td>")
          .append(GraphText.rate(a.handledPerSecond()))
          .append("</td><td>")
          .append(GraphText.percent(a.errorShare()))
          .append("</td><td>")
          .append(GraphText.duration(a.handlerP95Seconds()))
          .append("</td><td>")
          .append(a.handled())
          .append("</td><td>")
          .append(a.sent())
          .append("</td><td>")
          .append(a.stops())
          .append("</td></tr>\n");
    }
    html.append("</tbody></table>\n<table id=\"handoffs\"><thead><tr><th>hand-off</th>")
        .append("<th>msg/s</th><th>p95 delivery</th><th>messages</th><th>loops</th>")
        .append("<th>stopped</th></tr></thead><tbody>\n");
    for (AgentGraph.Handoff h : graph.handoffs()) {
      html.append("<tr class=\"handoff\"><td>")
          .append(escape(h.from()))
          .append(" → ")
          .append(escape(h.to()))
          .append("</td><td>")
          .append(GraphText.rate(h.perSecond()))
          .append("</td><td>")
          .append(GraphText.duration(h.deliveryP95Seconds()))
          .append("</td><td>")
          .append(h.messages())
          .append("</td><td>")
          .append(h.loops())
          .append("</td><td>")
          .append(h.stops())
          .append("</td></tr>\n");
    }
    return html.append("</tbody></table>\n</body></html>\n").toString();
  }

  /** The graph as the JSON document {@code /graph} serves (NaN figures are {@code null}). */
  static Map<String, Object> json(AgentGraph.Snapshot graph) {
    List<Map<String, Object>> agents = new ArrayList<>();
    for (AgentGraph.Agent a : graph.agents()) {
      Map<String, Object> agent = new LinkedHashMap<>();
      agent.put("name", a.name());
      agent.put("status", a.status());
      agent.put("state", a.state());
      agent.put("handled_per_second", number(a.handledPerSecond()));
      agent.put("error_share", number(a.errorShare()));
      agent.put("handler_p95_seconds", number(a.handlerP95Seconds()));
      agent.put("handled", a.handled());
      agent.put("failed", a.failed());
      agent.put("sent", a.sent());
      agent.put("stopped", a.stops());
      agents.add(agent);
    }
    List<Map<String, Object>> handoffs = new ArrayList<>();
    for (AgentGraph.Handoff h : graph.handoffs()) {
      Map<String, Object> handoff = new LinkedHashMap<>();
      handoff.put("from", h.from());
      handoff.put("to", h.to());
      handoff.put("per_second", number(h.perSecond()));
      handoff.put("delivery_p95_seconds", number(h.deliveryP95Seconds()));
      handoff.put("messages", h.messages());
      handoff.put("loops", h.loops());
      handoff.put("stopped", h.stops());
      handoffs.add(handoff);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("window_seconds", graph.window().toSeconds());
    json.put("agents", agents);
    json.put("handoffs", handoffs);
    return json;
  }

  private static Double number(double value) {
    return Double.isNaN(value) ? null : value;
  }
}
