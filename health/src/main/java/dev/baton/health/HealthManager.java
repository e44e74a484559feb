/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import dev.baton.health.internal.ResourceUsage;
import dev.baton.transport.internal.DaemonThreads;
import dev.baton.transport.internal.Redaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs health checks: in the background on a schedule and on demand, concurrently, each with its
 * own timeout. A check that hangs or throws is UNHEALTHY with a reason. {@link #report()} never
 * waits on a slow check: it waits at most {@link Builder#setAnswerWithin} (0.5 s by default) for an
 * evaluation and then answers with each check's latest completed result, where a check that has
 * been running longer than its timeout counts as failed from that moment and one that never
 * finished yet is UNKNOWN. So a probe with Kubernetes' 1 s timeout always gets an answer, even
 * while a broker is down and its check waits for the broker. Concurrent callers share one
 * evaluation (single-flight), and a report is served from cache for {@link Builder#setCacheFor}, so
 * a probe storm does not hammer the database or the broker. A result older than {@link
 * Builder#setMaxAge} counts as UNKNOWN. A hung check is not started again while it still runs.
 *
 * <pre>{@code
 * HealthManager health = HealthManager.builder()
 *     .addCheck(NatsHealthCheck.builder(connection)).build()            // critical: failure = UNHEALTHY
 *     .addCheck(JdbcHealthCheck.builder(dataSource).setName("postgres").build())
 *     .addCheck(BackplaneChecks.backlog(metrics, limits), NON_CRITICAL) // failure = DEGRADED
 *     .build();
 * }</pre>
 *
 * <p>Longer than 400 lines, for a reason: with its builder (80 lines) it does one job, running
 * checks within their budgets; the cache, the single flight, the timeouts and the latest results
 * share one state, and split across classes each would need the others' insides.
 *
 * <p>Thread-safe. It owns threads: the caller closes it.
 */
public final class HealthManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthManager.class);
  private static final Duration MARGIN = Duration.ofMillis(250);

  private volatile double cpuUsagePercent = Double.NaN;
  private final List<Registration> registrations;
  private final Duration timeout;
  private final Duration answerWithin;
  private final Duration cacheFor;
  private final Duration maxAge;
  private final Clock clock;
  private final ExecutorService checks;
  private final @Nullable ScheduledExecutorService schedule;
  private final AtomicReference<@Nullable HealthReport> last = new AtomicReference<>();
  private final AtomicReference<@Nullable CompletableFuture<HealthReport>> inFlight =
      new AtomicReference<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final Instant createdAt;

  private static final class Registration {
    final HealthCheck check;
    final boolean critical;
    final AtomicLong runs = new AtomicLong();
    volatile @Nullable CompletableFuture<CheckReport> running;
    volatile long runningSince;
    volatile @Nullable CheckReport latest;

    Registration(HealthCheck check, boolean critical) {
      this.check = check;
      this.critical = critical;
    }
  }

  private HealthManager(Builder b) {
    this.registrations = List.copyOf(b.registrations);
    this.timeout = b.timeout;
    this.answerWithin = b.answerWithin;
    this.cacheFor = b.cacheFor;
    this.maxAge = b.maxAge;
    this.clock = b.clock;
    this.createdAt = clock.instant();
    ResourceUsage.cpuUsagePercent(); // the JVM's first figure has no baseline: take it now
    this.checks = Executors.newCachedThreadPool(DaemonThreads.named("baton-health-check"));
    if (b.interval.isZero()) {
      this.schedule = null;
    } else {
      this.schedule =
          Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("baton-health-schedule"));
      long millis = b.interval.toMillis();
      schedule.scheduleWithFixedDelay(this::refreshQuietly, 0, millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * {@return a builder: 5 s timeout per check, every 10 s in the background, 1 s cache, 30 s max
   * age}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@return the current report: from cache while it is younger than the cache period, else a fresh
   * evaluation shared with concurrent callers if it completes within {@link
   * Builder#setAnswerWithin}, else each check's latest completed result as of now (a check running
   * past its timeout is UNHEALTHY, one that never finished is UNKNOWN) while the evaluation goes on
   * in the background} Never waits longer than the answer budget.
   */
  public HealthReport report() {
    HealthReport cached = last.get();
    if (cached != null && age(cached).compareTo(cacheFor) < 0) {
      return aged(cached);
    }
    CompletableFuture<HealthReport> evaluation;
    try {
      evaluation = evaluation();
    } catch (RejectedExecutionException e) {
      return current();
    }
    try {
      return evaluation.get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException e) {
      // answer with what is known now
    }
    return current();
  }

  /** Each check's latest completed result as of now, running checks judged by their age. */
  private HealthReport current() {
    long now = System.nanoTime();
    Map<String, CheckReport> reports = new LinkedHashMap<>();
    for (Registration registration : registrations) {
      CompletableFuture<CheckReport> running = registration.running;
      long runningNanos = now - registration.runningSince;
      CheckReport latest = registration.latest;
      CheckReport report;
      if (running != null && !running.isDone() && runningNanos >= timeout.toNanos()) {
        report = timedOut(registration, runningNanos);
      } else if (latest != null) {
        report = latest;
      } else {
        report =
            report(
                registration,
                new CheckResult(HealthStatus.UNKNOWN, "not checked yet", Map.of()),
                0);
      }
      reports.put(report.name(), report);
    }
    return aged(
        new HealthReport(HealthReport.aggregate(reports.values()), clock.instant(), reports));
  }

  private CheckReport timedOut(Registration registration, long runningNanos) {
    return report(
        registration,
        CheckResult.unhealthy("timed out after " + timeout.toMillis() + " ms"),
        runningNanos);
  }

  /**
   * {@return this process's CPU use, 0–100, as sampled at the last evaluation (on the manager's
   * schedule or when the cache expired), so every response within a period shows the same figure;
   * NaN before the first evaluation or when the JVM cannot tell}
   */
  public double cpuUsagePercent() {
    return cpuUsagePercent;
  }

  /** {@return a fresh evaluation (shared with any already running)} */
  public HealthReport refresh() {
    return awaitEvaluation();
  }

  /**
   * {@return how many times {@code name} has run (for tests and diagnostics)}
   *
   * @param name a check's name
   */
  public long runs(String name) {
    for (Registration r : registrations) {
      if (r.check.name().equals(name)) {
        return r.runs.get();
      }
    }
    return 0;
  }

  /** {@return the cache period, for {@code Cache-Control}} */
  public Duration cacheFor() {
    return cacheFor;
  }

  /** {@return when this manager was created: the process's start as far as health is concerned} */
  public Instant createdAt() {
    return createdAt;
  }

  /** The clock. */
  Clock clock() {
    return clock;
  }

  /** Says the agents have subscribed: {@code /health/started} and readiness turn true. */
  public void markStarted() {
    started.set(true);
  }

  /** {@return whether {@link #markStarted()} was called} */
  public boolean isStarted() {
    return started.get();
  }

  /** Stops the schedule and the check threads. */
  @Override
  public void close() {
    if (schedule != null) {
      schedule.shutdownNow();
    }
    checks.shutdownNow();
  }

  private void refreshQuietly() {
    try {
      awaitEvaluation();
    } catch (RejectedExecutionException e) {
      // closing
    } catch (RuntimeException e) {
      log.warn("health evaluation failed: {}", Redaction.describe(e));
    }
  }

  private HealthReport awaitEvaluation() {
    CompletableFuture<HealthReport> evaluation = evaluation();
    try {
      return evaluation.get(timeout.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException e) {
      // fall through to what we have
    }
    return current();
  }

  private CompletableFuture<HealthReport> evaluation() {
    CompletableFuture<HealthReport> mine = new CompletableFuture<>();
    if (!inFlight.compareAndSet(null, mine)) {
      CompletableFuture<HealthReport> running = inFlight.get();
      if (running != null) {
        return running;
      }
      return evaluation();
    }
    // Sampled once per evaluation: the JVM's figure is the load since the previous sample, so
    // reading it per request gives 0 % to a second request that follows the first closely.
    cpuUsagePercent = ResourceUsage.cpuUsagePercent();
    List<CompletableFuture<CheckReport>> futures = new ArrayList<>();
    for (Registration registration : registrations) {
      futures.add(run(registration));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, error) -> {
              Map<String, CheckReport> reports = new LinkedHashMap<>();
              for (CompletableFuture<CheckReport> future : futures) {
                CheckReport report = future.join();
                reports.put(report.name(), report);
              }
              HealthReport report =
                  new HealthReport(
                      HealthReport.aggregate(reports.values()), clock.instant(), reports);
              last.set(report);
              inFlight.set(null);
              mine.complete(report);
            });
    return mine;
  }

  /** This check's report within the timeout; a still-running (hung) check is not started again. */
  private CompletableFuture<CheckReport> run(Registration registration) {
    CompletableFuture<CheckReport> running = registration.running;
    if (running == null || running.isDone()) {
      try {
        registration.runningSince = System.nanoTime();
        running = CompletableFuture.supplyAsync(() -> execute(registration), checks);
      } catch (RejectedExecutionException e) {
        return CompletableFuture.completedFuture(
            report(registration, CheckResult.unhealthy("the health manager is closed"), 0));
      }
      running.thenAccept(report -> registration.latest = report);
      registration.running = running;
    }
    // The timeout counts from when the check started, not from this evaluation: a check still
    // hanging from an earlier evaluation has used up its time already.
    long remaining =
        Math.max(0, timeout.toNanos() - (System.nanoTime() - registration.runningSince));
    return running
        .copy()
        .completeOnTimeout(null, remaining, TimeUnit.NANOSECONDS)
        .thenApply(
            report ->
                report != null
                    ? report
                    : timedOut(registration, System.nanoTime() - registration.runningSince));
  }

  private CheckReport execute(Registration registration) {
    registration.runs.incrementAndGet();
    long started = System.nanoTime();
    CheckResult result;
    try {
      result = registration.check.check();
      if (result == null) {
        result = CheckResult.unhealthy("the check returned nothing");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = CheckResult.unhealthy("interrupted");
    } catch (Exception | LinkageError e) {
      result = CheckResult.unhealthy(Redaction.describe(e));
    }
    return report(registration, result, System.nanoTime() - started);
  }

  private CheckReport report(Registration registration, CheckResult result, long nanos) {
    Map<String, Object> details = new LinkedHashMap<>();
    result
        .details()
        .forEach((k, v) -> details.put(k, v instanceof String s ? Redaction.redact(s) : v));
    List<String> dependencies = new ArrayList<>();
    for (String dependency : registration.check.dependencies()) {
      dependencies.add(Redaction.redact(dependency));
    }
    return new CheckReport(
        registration.check.name(),
        result.status(),
        registration.critical,
        Redaction.redact(result.reason()),
        details,
        dependencies,
        clock.instant(),
        TimeUnit.NANOSECONDS.toMillis(nanos));
  }

  private Duration age(HealthReport report) {
    return Duration.between(report.evaluatedAt(), clock.instant());
  }

  /** The report with checks older than the maximum age turned UNKNOWN. */
  private HealthReport aged(HealthReport report) {
    Instant now = clock.instant();
    boolean stale = false;
    Map<String, CheckReport> checks = new LinkedHashMap<>();
    for (CheckReport check : report.checks().values()) {
      if (Duration.between(check.checkedAt(), now).compareTo(maxAge) > 0) {
        checks.put(check.name(), check.stale());
        stale = true;
      } else {
        checks.put(check.name(), check);
      }
    }
    return stale
        ? new HealthReport(HealthReport.aggregate(checks.values()), report.evaluatedAt(), checks)
        : report;
  }

  /** Builds a {@link HealthManager}. Not thread-safe. */
  public static final class Builder {
    private final List<Registration> registrations = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private Duration timeout = Duration.ofSeconds(5);
    private Duration answerWithin = Duration.ofMillis(500);
    private Duration interval = Duration.ofSeconds(10);
    private Duration cacheFor = Duration.ofSeconds(1);
    private Duration maxAge = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();

    Builder() {}

    /**
     * Adds a critical check: its failure makes the whole UNHEALTHY.
     *
     * @param check the check to add
     * @return this builder
     */
    public Builder addCheck(HealthCheck check) {
      return addCheck(check, Criticality.CRITICAL);
    }

    /**
     * Adds a check; a {@link Criticality#NON_CRITICAL} one's failure makes the whole DEGRADED.
     *
     * @param check the check to add
     * @param criticality whether its failure makes the whole UNHEALTHY or DEGRADED
     * @return this builder
     */
    public Builder addCheck(HealthCheck check, Criticality criticality) {
      Objects.requireNonNull(criticality, "criticality");
      boolean critical = criticality == Criticality.CRITICAL;
      Objects.requireNonNull(check, "check");
      if (!names.add(check.name())) {
        throw new IllegalArgumentException("two checks are named '" + check.name() + "'");
      }
      registrations.add(new Registration(check, critical));
      return this;
    }

    /**
     * How long one check may take before it counts as UNHEALTHY. Default 5 s.
     *
     * @param timeout the longest one check may take
     * @return this builder
     */
    public Builder setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How long {@link #report()} may wait for running checks before it answers with their latest
     * completed results (default 0.5 s, so an endpoint answers within a 1 s probe timeout).
     *
     * @param answerWithin the longest a report waits for checks that are running
     * @return this builder
     */
    public Builder setAnswerWithin(Duration answerWithin) {
      this.answerWithin = Objects.requireNonNull(answerWithin, "answerWithin");
      return this;
    }

    /**
     * How often checks run in the background; ZERO for on demand only. Default 10 s.
     *
     * @param interval the time between background runs, or {@link Duration#ZERO}
     * @return this builder
     */
    public Builder setInterval(Duration interval) {
      this.interval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * How long a report is served without running the checks again. Default 1 s.
     *
     * @param cacheFor how long a report is reused
     * @return this builder
     */
    public Builder setCacheFor(Duration cacheFor) {
      this.cacheFor = Objects.requireNonNull(cacheFor, "cacheFor");
      return this;
    }

    /**
     * A check result older than this counts as UNKNOWN. Default 30 s.
     *
     * @param maxAge the oldest a result may be and still count
     * @return this builder
     */
    public Builder setMaxAge(Duration maxAge) {
      this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
      return this;
    }

    /** The clock (tests). */
    Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds and starts it; throws {@link IllegalArgumentException} on a bad setting.
     *
     * @return the running manager; close it to stop its checks
     */
    public HealthManager build() {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      if (interval.isNegative() || cacheFor.isNegative()) {
        throw new IllegalArgumentException("interval and cacheFor must not be negative");
      }
      if (maxAge.compareTo(cacheFor) <= 0) {
        throw new IllegalArgumentException(
            "maxAge (" + maxAge + ") must be longer than cacheFor (" + cacheFor + ")");
      }
      return new HealthManager(this);
    }
  }
}
