package dev.baton.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.PrometheusTools;
import dev.baton.transport.Outcome;
import dev.baton.transport.TransportListener.Processed;
import dev.baton.transport.TransportListener.Received;
import dev.baton.transport.TransportListener.Sent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's package, started here on loopback, stopped by PID) scrapes Baton's
 * metrics, loads the shipped alert rules, and answers a query with the value the test produced.
 */
class RealPrometheusTest {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path dir;
  private Process watchdog;
  private long pid = -1;

  @AfterEach
  void stopPrometheus() throws Exception {
    if (pid > 0) {
      ProcessHandle.of(pid)
          .ifPresent(
              p -> {
                p.destroy();
                try {
                  p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                  p.destroyForcibly();
                }
              });
    }
    if (watchdog != null) {
      watchdog.waitFor();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void prometheusScrapesBatonAndAnswersWithTheValueTheTestProduced() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BackplaneMetrics metrics = BackplaneMetrics.builder().build();
    metrics.bindTo(registry);
    for (int i = 0; i < 42; i++) {
      metrics.onSent(new Sent("nats", "writer", "drafts", 10, 1_000_000, null));
      metrics.onReceived(
          new Received("nats", "reviewer", "drafts", "reviewers", "writer", 10, 3_000_000, 1));
      metrics.onProcessed(
          new Processed("nats", "reviewer", "drafts", "reviewers", Outcome.ACK, 1_000_000, null));
    }

    try (PrometheusScrape scrape =
        PrometheusScrape.start(
            registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      int port = startPrometheus(scrape.port());

      awaitTargetUp(port);
      String value =
          awaitValue(
              port,
              "sum(messaging_client_sent_messages_total{messaging_destination_name=\"drafts\"})",
              "42");
      String graph =
          awaitValue(
              port,
              "baton_agent_messages_total{from_agent=\"writer\",to_agent=\"reviewer\"}",
              "42");
      String rules = get(port, "/api/v1/rules");

      assertThat(value).isEqualTo("42");
      assertThat(graph).isEqualTo("42");
      assertThat(rules).contains("BatonConsumerStalled").contains("BatonBrokerDown");
      assertThat(count(rules, "\"type\":\"alerting\"")).isEqualTo(7);
    }
  }

  private int startPrometheus(int scrapePort) throws Exception {
    dir = Files.createTempDirectory("baton-prometheus-");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path rules = Path.of("prometheus/alerts.yml").toAbsolutePath();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  evaluation_interval: 1s",
            "rule_files:",
            "  - " + rules,
            "scrape_configs:",
            "  - job_name: baton",
            "    metrics_path: /metrics",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + scrapePort + "']",
            ""));
    String binary = PrometheusTools.prometheus();
    Path pidFile = dir.resolve("pid");
    String command =
        "'"
            + binary
            + "' --config.file='"
            + config
            + "' --storage.tsdb.path='"
            + dir.resolve("data")
            + "' --web.listen-address=127.0.0.1:"
            + port
            + " > '"
            + dir.resolve("prometheus.log")
            + "' 2>&1";
    long jvm = ProcessHandle.current().pid();
    String script =
        command
            + " & p=$!; echo $p > '"
            + pidFile
            + "'; while kill -0 "
            + jvm
            + " 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 0.5; done; kill -9 $p 2>/dev/null; wait $p 2>/dev/null; exit 0";
    watchdog = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "prometheus did not start (is it installed? apt-get install prometheus)");
      }
      Thread.sleep(10);
    }
    pid = Long.parseLong(Files.readString(pidFile).trim());
    return port;
  }

  private void awaitTargetUp(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        last = get(port, "/api/v1/targets");
        if (last.contains("\"health\":\"up\"")) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the scrape target never came up: " + last + "\n" + log());
  }

  private String awaitValue(int port, String query, String expected) throws Exception {
    Pattern value = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String found = null;
    while (System.nanoTime() < deadline) {
      String body =
          get(port, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
      Matcher m = value.matcher(body);
      if (m.find()) {
        found = m.group(1);
        if (found.equals(expected)) {
          return found;
        }
      }
      Thread.sleep(200);
    }
    return found;
  }

  private String get(int port, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int count(String text, String needle) {
    int count = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      count++;
    }
    return count;
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
