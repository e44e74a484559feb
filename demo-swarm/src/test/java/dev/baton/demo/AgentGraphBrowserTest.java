/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.testing.Await;
import dev.baton.testing.NatsServerExtension;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's {@code /graph} seen in a real browser: Debian's Chromium, headless, takes a screenshot
 * of the page after a run of five agents on a real nats-server; the page a browser built has the
 * five agents and exactly the hand-offs the graph's JSON lists, and the screenshot shows each
 * agent's box where the image put it, in its heartbeats' colour. The screenshot is kept in {@code
 * target/agent-graph.png} (the README's picture is one of them).
 */
class AgentGraphBrowserTest {

  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final Pattern BOX =
      Pattern.compile(
          "<g class=\"agent\" data-agent=\"([^\"]+)\"><title>[^<]*</title><rect x=\"(\\d+)\""
              + " y=\"(\\d+)\" width=\"(\\d+)\" height=\"(\\d+)\" rx=\"\\d+\" fill=\"#([0-9a-f]{6})\"");
  private static final Pattern HANDOFF =
      Pattern.compile("<g class=\"handoff\" data-from=\"([^\"]+)\" data-to=\"([^\"]+)\">");

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theDemosGraphInHeadlessChromiumShowsTheFiveAgentsAndTheirHandOffs(@TempDir Path dir)
      throws Exception {
    Path chromium = chromium();
    SwarmConfig config =
        SwarmConfig.parse(
            List.of(
                "--transport", "nats",
                "--nats-url", NATS.url(),
                "--port", "0",
                "--failure-rate", "0",
                "--rate", "5"),
            null);
    try (Swarm swarm = Swarm.start(config, null, QUIET)) {
      List<CompletableFuture<Coordinator.Outcome>> tasks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        tasks.add(swarm.submit("graph task " + i));
      }
      for (CompletableFuture<Coordinator.Outcome> task : tasks) {
        assertThat(task.get(90, TimeUnit.SECONDS).status()).isEqualTo("done");
      }
      String base = "http://127.0.0.1:" + swarm.port();
      Await.until(
          "every agent's heartbeat in the graph",
          Duration.ofSeconds(30),
          () ->
              get(base + "/graph.json").path("agents").findValuesAsText("status").stream()
                      .filter("HEALTHY"::equals)
                      .count()
                  == Roles.ALL.size());
      JsonNode json = get(base + "/graph.json");
      Set<String> handoffs = new TreeSet<>();
      json.path("handoffs")
          .forEach(h -> handoffs.add(h.path("from").asText() + " -> " + h.path("to").asText()));
      assertThat(json.path("agents").findValuesAsText("name"))
          .containsExactlyInAnyOrderElementsOf(Roles.ALL);
      assertThat(handoffs)
          .contains(
              "coordinator -> researcher",
              "coordinator -> coder",
              "researcher -> reviewer",
              "coder -> reviewer",
              "reviewer -> summarizer");
      String svg = text(base + "/graph.svg");

      Path png = dir.resolve("graph.png");
      run(chromium, dir, "--screenshot=" + png, "--window-size=1400,900", base + "/graph");
      String dom = run(chromium, dir, "--dump-dom", base + "/graph");

      // The page the browser built: five agents and exactly the graph's hand-offs.
      Set<String> drawnAgents = new TreeSet<>();
      Matcher agents = Pattern.compile("class=\"agent\" data-agent=\"([^\"]+)\"").matcher(dom);
      while (agents.find()) {
        drawnAgents.add(agents.group(1));
      }
      assertThat(drawnAgents).containsExactlyInAnyOrderElementsOf(Roles.ALL);
      Set<String> drawnHandoffs = new TreeSet<>();
      Matcher edges = HANDOFF.matcher(dom);
      while (edges.find()) {
        drawnHandoffs.add(edges.group(1) + " -> " + edges.group(2));
      }
      assertThat(drawnHandoffs).isEqualTo(handoffs);

      // The screenshot: each agent's box, where the image put it, in its status' fill.
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(image).as("Chromium's screenshot").isNotNull();
      Map<String, int[]> boxes = new LinkedHashMap<>();
      Matcher box = BOX.matcher(svg);
      while (box.find()) {
        boxes.put(
            box.group(1),
            new int[] {
              Integer.parseInt(box.group(2)),
              Integer.parseInt(box.group(3)),
              Integer.parseInt(box.group(4)),
              Integer.parseInt(box.group(5)),
              Integer.parseInt(box.group(6), 16)
            });
      }
      assertThat(boxes.keySet()).containsExactlyInAnyOrderElementsOf(Roles.ALL);
      for (Map.Entry<String, int[]> entry : boxes.entrySet()) {
        int[] b = entry.getValue();
        // Inside the box, clear of its text (which starts at the left) and its rounded corners.
        int x = b[0] + b[2] - 14;
        int y = b[1] + 12;
        assertThat(x).isLessThan(image.getWidth());
        assertThat(y).isLessThan(image.getHeight());
        assertThat(String.format("%06x", image.getRGB(x, y) & 0xffffff))
            .as("%s's box at (%d, %d) in the screenshot", entry.getKey(), x, y)
            .isEqualTo(String.format("%06x", b[4]));
      }
      Path kept = Path.of("target/agent-graph.png");
      Files.createDirectories(kept.getParent());
      Files.copy(png, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Debian's Chromium ({@code BATON_CHROMIUM} elsewhere); CI installs it, so CI never skips. */
  private static Path chromium() {
    String configured = System.getenv("BATON_CHROMIUM");
    Path path = Path.of(configured != null ? configured : "/usr/bin/chromium");
    boolean ci = "true".equals(System.getenv("CI"));
    if (!Files.isExecutable(path)) {
      assertThat(ci)
          .as("CI runs the browser test: %s is missing (.ci/run installs Debian's chromium)", path)
          .isFalse();
      Assumptions.abort(
          "no Chromium at " + path + ": apt-get install chromium, or set BATON_CHROMIUM");
    }
    return path;
  }

  /** Runs headless Chromium with {@code args} in a profile of its own; its standard output. */
  private static String run(Path chromium, Path dir, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "chromium", ".out");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("Chromium finished").isTrue();
      assertThat(process.exitValue()).as("Chromium's exit code").isZero();
    } finally {
      process.destroyForcibly();
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private JsonNode get(String url) {
    try {
      return new ObjectMapper().readTree(text(url));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String text(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
