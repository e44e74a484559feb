/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.lag;

import dev.baton.health.CheckResult;
import dev.baton.health.Criticality;
import dev.baton.health.HealthCheck;
import dev.baton.health.HealthManager;
import dev.baton.health.HealthServer;
import dev.baton.health.ShowDetails;
import dev.baton.metrics.BacklogLimits;
import dev.baton.metrics.BackplaneChecks;
import dev.baton.metrics.BackplaneMetrics;
import dev.baton.metrics.PrometheusScrape;
import dev.baton.metrics.TraceExemplars;
import dev.baton.transport.TransportListener.ConnectionChange;
import dev.baton.transport.TransportListener.ConnectionEvent;
import dev.baton.transport.TransportListener.TelemetryFailure;
import dev.baton.transport.internal.BatonVersion;
import dev.baton.transport.internal.DaemonThreads;
import dev.baton.transport.internal.Redaction;
import dev.baton.transport.kafka.KafkaBrokerLag;
import dev.baton.transport.kafka.KafkaHealthCheck;
import dev.baton.transport.nats.NatsBrokerLag;
import dev.baton.transport.nats.NatsHealthCheck;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The running {@code baton-lag}: reads the brokers every interval on one thread, feeds a {@link
 * BackplaneMetrics} whose meters all carry {@code source="broker"}, and serves {@code /metrics} and
 * {@code /health}. Closing stops the reads, the server and the broker clients.
 */
final class BatonLag implements AutoCloseable {

  private final LagConfig config;
  private final PrometheusMeterRegistry registry = TraceExemplars.prometheusRegistry();
  private final BackplaneMetrics metrics;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-lag-reads"));
  private final List<Reads> reads = new ArrayList<>();
  private @Nullable Connection nats;
  private @Nullable KafkaBrokerLag kafka;
  private @Nullable HealthManager health;
  private @Nullable HealthServer server;

  private BatonLag(LagConfig config) {
    this.config = config;
    registry.config().commonTags("source", "broker");
    this.metrics = BackplaneMetrics.builder().setStallAfter(config.stallAfter()).build();
    metrics.bindTo(registry);
  }

  /** Connects to the brokers, starts serving and reading; the first read runs at once. */
  static BatonLag start(LagConfig config) throws Exception {
    BatonLag lag = new BatonLag(config);
    try {
      lag.open();
    } catch (Exception e) {
      lag.close();
      throw e;
    }
    return lag;
  }

  private void open() throws Exception {
    Predicate<String> kept = name -> config.group().matcher(name).matches();
    HealthManager.Builder checks = HealthManager.builder().setInterval(Duration.ZERO);
    if (config.natsUrl() != null) {
      Options options =
          new Options.Builder()
              .server(config.natsUrl())
              .connectionName("baton-lag")
              .maxReconnects(-1)
              .reconnectWait(Duration.ofSeconds(1))
              .errorListener(new ErrorListener() {})
              .connectionListener((c, event) -> {})
              .build();
      nats = Nats.connectReconnectOnConnect(options);
      NatsBrokerLag reader = NatsBrokerLag.create(nats, kept);
      Reads natsReads = new Reads("nats", () -> reader.read(metrics));
      reads.add(natsReads);
      checks.addCheck(NatsHealthCheck.builder(nats).setJetStream(true).build());
      checks.addCheck(natsReads);
    }
    if (config.kafka() != null) {
      kafka = KafkaBrokerLag.create(config.kafka(), kept, Duration.ofSeconds(5));
      KafkaBrokerLag reader = kafka;
      Reads kafkaReads = new Reads("kafka", () -> reader.read(metrics));
      reads.add(kafkaReads);
      checks.addCheck(KafkaHealthCheck.builder(config.kafka()).build());
      checks.addCheck(kafkaReads);
    }
    checks.addCheck(
        BackplaneChecks.backlog(metrics, BacklogLimits.defaults()), Criticality.NON_CRITICAL);
    checks.addCheck(BackplaneChecks.stopped(metrics), Criticality.NON_CRITICAL);
    health = checks.build();
    health.markStarted();
    server =
        HealthServer.builder(health)
            .setAddress(new InetSocketAddress(config.listen(), config.port()))
            .setShowDetails(ShowDetails.always())
            .setVersion(BatonVersion.get())
            .setPendingTasks(metrics::totalLag)
            .addContext("/metrics", PrometheusScrape.handler(registry))
            .start();
    long every = config.interval().toMillis();
    scheduler.scheduleWithFixedDelay(this::readAll, 0, every, TimeUnit.MILLISECONDS);
  }

  /** The port {@code /metrics} and {@code /health} are served on. */
  int port() {
    return server == null ? -1 : server.port();
  }

  /** The brokers it reads, credentials left out. */
  String describe() {
    List<String> what = new ArrayList<>();
    if (config.natsUrl() != null) {
      what.add("JetStream consumers at " + Redaction.redact(config.natsUrl()));
    }
    if (config.kafka() != null) {
      what.add(
          "Kafka consumer groups at "
              + Redaction.redact(config.kafka().get("bootstrap.servers").toString()));
    }
    return String.join(" and ", what);
  }

  private void readAll() {
    for (Reads r : reads) {
      r.run();
    }
  }

  /** One broker's reads: run each interval, and a check that fails while they fail. */
  private final class Reads implements HealthCheck {
    private final String system;
    private final Read read;
    private volatile long lastSuccessMillis = -1;
    private volatile @Nullable String lastError = "not read yet";
    private @Nullable Boolean up;

    interface Read {
      int read() throws Exception;
    }

    Reads(String system, Read read) {
      this.system = system;
      this.read = read;
    }

    void run() {
      try {
        read.read();
        lastSuccessMillis = System.currentTimeMillis();
        lastError = null;
        answered(true, "the broker answers");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception | LinkageError e) {
        lastError = Redaction.describe(e);
        metrics.onTelemetryFailure(new TelemetryFailure(system, "backlog", e.getClass().getName()));
        answered(false, "the broker does not answer: " + lastError);
      }
    }

    private void answered(boolean now, String detail) {
      if (up == null || up != now) {
        ConnectionEvent event =
            now
                ? (up == null ? ConnectionEvent.CONNECTED : ConnectionEvent.RECONNECTED)
                : ConnectionEvent.DISCONNECTED;
        up = now;
        metrics.onConnection(new ConnectionChange(system, event, detail));
      }
    }

    @Override
    public String name() {
      return system + "-lag-reads";
    }

    @Override
    public CheckResult check() {
      String error = lastError;
      long last = lastSuccessMillis;
      long stale = 3 * config.interval().toMillis() + 5_000;
      if (error == null && System.currentTimeMillis() - last <= stale) {
        return CheckResult.healthy()
            .withDetail("lastReadMillisAgo", System.currentTimeMillis() - last);
      }
      return CheckResult.unhealthy(
          "cannot read the lag from "
              + system
              + ": "
              + (error == null ? "no read for a while" : error));
    }
  }

  @Override
  public void close() throws Exception {
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    if (server != null) {
      server.close();
    }
    if (health != null) {
      health.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (nats != null) {
      nats.close();
    }
    metrics.close();
  }
}
