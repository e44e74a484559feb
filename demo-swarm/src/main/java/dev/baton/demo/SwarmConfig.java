/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.propagation.ConversationBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The swarm's settings, from the command line.
 *
 * @param transport {@code nats}, {@code kafka}, or {@code embedded} (a Kafka broker the swarm
 *     starts itself: the default)
 * @param natsUrl the NATS server
 * @param bootstrapServers the Kafka brokers
 * @param kafkaConfig a properties file of Kafka client settings (TLS, SASL) for every client the
 *     swarm makes, or {@code null}
 * @param tasks how many tasks to run (ignored when {@code duration} is set)
 * @param duration run for this long instead, or {@code null}
 * @param rate tasks submitted per second
 * @param failureRate the chance that an agent's step fails (to show errors and retries)
 * @param slowAgent an agent that works ten times slower, or {@code null}
 * @param jdbcUrl the task store; an embedded H2 database by default
 * @param port the port of /health, /health/ready, /health/live, /health/agent/{id} and /metrics
 * @param listen the address that port listens on: loopback by default, where health details are
 *     shown to anyone; on any other address only with a token (see {@link Swarm#showDetails})
 * @param otlpEndpoint where traces and metrics go over OTLP, or {@code null} to print trace trees
 * @param printTraces whether finished tasks' traces are printed as trees
 * @param role the one agent role this process runs, or {@code all} for the five of them
 * @param instance what tells this process's agents from other replicas' (their ids are {@code
 *     role-instance}); the process id by default
 * @param loop whether a critic and a reviser bounce the first task's draft next to the coordinator,
 *     until Baton's loop breaker stops them
 * @param budget each task's conversation budget ({@code tokens=20000,cost=0.01,hops=12,time=60s},
 *     any subset), set where the coordinator takes the task; or {@code null}
 */
public record SwarmConfig(
    String transport,
    String natsUrl,
    String bootstrapServers,
    @Nullable String kafkaConfig,
    int tasks,
    @Nullable Duration duration,
    double rate,
    double failureRate,
    @Nullable String slowAgent,
    String jdbcUrl,
    int port,
    String listen,
    @Nullable String otlpEndpoint,
    boolean printTraces,
    String role,
    String instance,
    boolean loop,
    @Nullable String budget) {

  /** The value of {@code --role} that runs every role in this process. */
  static final String ALL_ROLES = "all";

  static final String USAGE =
      """
      Usage: baton-demo-swarm [options]

      Runs five agents (coordinator, researcher, coder, reviewer, summarizer) that hand each
      task to each other over a message bus, traced across every hop with Baton.

      Processes (default: all five agents in this one)
        --role NAME                 run only this agent: coordinator, researcher, coder,
                                    reviewer or summarizer (default all). Start any number
                                    of processes per role: replicas share the work through
                                    the broker's groups. Needs --transport and, for the
                                    coordinator and the reviewer, a shared --jdbc-url.
        --instance ID               tells this process's agents from other replicas'
                                    (agent ids are ROLE-ID; default the process id,
                                    after $HOSTNAME where that is set)

      Broker (default: an embedded Kafka broker the swarm starts and stops itself)
        --transport nats|kafka      use an existing broker instead
        --nats-url URL              NATS server            (default nats://127.0.0.1:4222)
        --bootstrap-servers HOSTS   Kafka brokers          (default 127.0.0.1:9092)
        --kafka-config FILE         Kafka client properties for a locked-down cluster
                                    (security.protocol, sasl.*, ssl.*), e.g. SASL_SSL

      Run
        --tasks N                   tasks to run           (default 5; 0 with --role
                                    coordinator: plan and close others' tasks only)
        --duration 60s|5m           run this long instead of a number of tasks
        --rate R                    tasks submitted per second (default 2)
        --failure-rate P            chance an agent step fails, 0..1 (default 0.1)
        --slow-agent NAME           make one agent ten times slower (e.g. coder)

      Conversations (each task is one: its id, hops, agents, tokens and cost travel with it)
        --budget LIMITS             a budget per task, checked by every agent before its
                                    handler runs: tokens=N,cost=USD,hops=N,time=30s (any
                                    subset, e.g. tokens=20000); the second task is a large
                                    one (the coder reads a whole codebase) and goes over
        --loop                      add a critic and a reviser that bounce the first task's
                                    draft between them; Baton stops the loop and reports it

      Outputs
        --jdbc-url URL              task store (default an in-memory H2 database, which
                                    only this process sees; processes share a server's:
                                    jdbc:postgresql://127.0.0.1:5432/test?user=postgres)
        --port N                    health and /metrics port (default 8080, and a free
                                    one with --role; 0 picks one)
        --listen ADDRESS            where that port listens (default 127.0.0.1, where
                                    /health shows every detail; elsewhere, e.g. 0.0.0.0,
                                    details only with Authorization: Bearer
                                    $BATON_HEALTH_TOKEN, and none without that variable)
        --otlp-endpoint URL         send traces and metrics over OTLP, e.g.
                                    http://localhost:4318 (also OTEL_EXPORTER_OTLP_ENDPOINT;
                                    every OTEL_* variable of the OpenTelemetry SDK works:
                                    protocol, headers, sampler, resource attributes,
                                    propagators); without one each finished task's trace
                                    is printed as a tree
        --print-traces              print trees even when exporting
        --help                      this text

      Outside callers submit tasks by publishing JSON {"prompt": "..."} to agents.tasks.submit.
      A process with --role (other than all) runs until --duration has passed or it is stopped
      (Ctrl-C, SIGTERM); a coordinator stops when its --tasks are done.
      """;

  /** Parses the command line; throws {@link IllegalArgumentException} saying what is wrong. */
  public static SwarmConfig parse(List<String> args, @Nullable String otlpFromEnv) {
    String transport = "embedded";
    String natsUrl = "nats://127.0.0.1:4222";
    String bootstrap = "127.0.0.1:9092";
    String kafkaConfig = null;
    int tasks = 5;
    Duration duration = null;
    double rate = 2;
    double failureRate = 0.1;
    String slow = null;
    String jdbc = "jdbc:h2:mem:baton;DB_CLOSE_DELAY=-1";
    Integer port = null;
    String listen = "127.0.0.1";
    String otlp = otlpFromEnv == null || otlpFromEnv.isBlank() ? null : otlpFromEnv;
    boolean print = false;
    String role = ALL_ROLES;
    String instance = defaultInstance(System.getenv("HOSTNAME"));
    boolean loop = false;
    String budget = null;
    List<String> rest = new ArrayList<>(args);
    while (!rest.isEmpty()) {
      String option = rest.remove(0);
      switch (option) {
        case "--transport" -> {
          transport = value(option, rest).toLowerCase(Locale.ROOT);
          if (!transport.equals("nats") && !transport.equals("kafka")) {
            throw new IllegalArgumentException(
                "--transport must be nats or kafka, was " + transport);
          }
        }
        case "--nats-url" -> natsUrl = value(option, rest);
        case "--bootstrap-servers" -> bootstrap = value(option, rest);
        case "--kafka-config" -> kafkaConfig = value(option, rest);
        case "--tasks" -> tasks = wholeNumber(option, value(option, rest));
        case "--duration" -> duration = duration(value(option, rest));
        case "--rate" -> rate = positive(option, value(option, rest));
        case "--failure-rate" -> {
          failureRate = number(option, value(option, rest));
          if (failureRate < 0 || failureRate > 0.9) {
            throw new IllegalArgumentException("--failure-rate must be between 0 and 0.9");
          }
        }
        case "--slow-agent" -> {
          slow = value(option, rest);
          if (!Roles.ALL.contains(slow)) {
            throw new IllegalArgumentException("--slow-agent must be one of " + Roles.ALL);
          }
        }
        case "--jdbc-url" -> jdbc = value(option, rest);
        case "--port" -> {
          port = Integer.parseInt(value(option, rest));
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0 to 65535");
          }
        }
        case "--listen" -> {
          listen = value(option, rest);
          if (!listen.matches("[A-Za-z0-9.:-]{1,253}")) {
            throw new IllegalArgumentException(
                "--listen must be a host name or an IP address, was " + listen);
          }
        }
        case "--otlp-endpoint" -> otlp = value(option, rest);
        case "--print-traces" -> print = true;
        case "--loop" -> loop = true;
        case "--budget" -> {
          budget = value(option, rest);
          budget(budget); // says what is wrong now, not when the coordinator starts
        }
        case "--role" -> {
          role = value(option, rest).toLowerCase(Locale.ROOT);
          if (!role.equals(ALL_ROLES) && !Roles.ALL.contains(role)) {
            throw new IllegalArgumentException(
                "--role must be all or one of " + Roles.ALL + ", was " + role);
          }
        }
        case "--instance" -> {
          instance = value(option, rest);
          if (!instance.matches("[A-Za-z0-9_.-]{1,40}")) {
            throw new IllegalArgumentException(
                "--instance must be 1 to 40 letters, digits, '.', '_' or '-', was " + instance);
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (!role.equals(ALL_ROLES)) {
      if (transport.equals("embedded")) {
        throw new IllegalArgumentException(
            "--role "
                + role
                + " works with agents in other processes: give the broker they share with"
                + " --transport nats|kafka (the embedded broker lives in one process)");
      }
      if (sharesStore(role) && jdbc.startsWith("jdbc:h2:mem:")) {
        throw new IllegalArgumentException(
            "--role "
                + role
                + " keeps its tasks in a store every replica must see: give a database"
                + " server with --jdbc-url, e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres"
                + " (the default in-memory H2 store lives and dies with one process)");
      }
    } else if (tasks == 0) {
      throw new IllegalArgumentException("--tasks 0 needs --role coordinator");
    }
    if ((loop || budget != null) && !role.equals(ALL_ROLES) && !role.equals(Roles.COORDINATOR)) {
      throw new IllegalArgumentException(
          (loop ? "--loop" : "--budget")
              + " is the coordinator's: give it to the process that runs the coordinator");
    }
    return new SwarmConfig(
        transport,
        natsUrl,
        bootstrap,
        kafkaConfig,
        tasks,
        duration,
        rate,
        failureRate,
        slow,
        jdbc,
        port != null ? port : role.equals(ALL_ROLES) ? 8080 : 0,
        listen,
        otlp,
        print || otlp == null,
        role,
        instance,
        loop,
        budget);
  }

  /**
   * The process id, after the host name where the environment has one (a container's is its id, and
   * every container's process is pid 1): unique on one machine and across containers.
   */
  static String defaultInstance(@Nullable String hostname) {
    String pid = Long.toString(ProcessHandle.current().pid());
    if (hostname == null || hostname.isBlank()) {
      return pid;
    }
    String host = hostname.replaceAll("[^A-Za-z0-9_.-]", "");
    host = host.substring(0, Math.min(host.length(), 24));
    return host.isEmpty() ? pid : host + "-" + pid;
  }

  /** Whether a role keeps state in the task store (the coordinator's tasks, the review fan-in). */
  static boolean sharesStore(String role) {
    return role.equals(Roles.COORDINATOR) || role.equals(Roles.REVIEWER);
  }

  /** Whether this process runs the agent of {@code role}. */
  boolean runs(String agentRole) {
    return role.equals(ALL_ROLES) || role.equals(agentRole);
  }

  /** The id of this process's agent of {@code role}. */
  String agentId(String agentRole) {
    return agentRole + "-" + instance;
  }

  /** Whether this process needs the task store. */
  boolean needsStore() {
    return role.equals(ALL_ROLES) || sharesStore(role);
  }

  private static String value(String option, List<String> rest) {
    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return rest.remove(0);
  }

  private static int wholeNumber(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a whole number, was " + value);
    }
  }

  private static double number(String option, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number, was " + value);
    }
  }

  private static double positive(String option, String value) {
    double n = number(option, value);
    if (!(n > 0)) {
      throw new IllegalArgumentException(option + " must be positive, was " + value);
    }
    return n;
  }

  private static Duration duration(String value) {
    try {
      if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      }
      long amount = Long.parseLong(value.substring(0, value.length() - 1));
      return switch (value.charAt(value.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--duration must look like 30s, 5m or 1h, was " + value);
    }
  }

  /** This config with a different transport endpoint (the embedded broker's). */
  SwarmConfig withBootstrapServers(String servers) {
    return new SwarmConfig(
        transport,
        natsUrl,
        servers,
        kafkaConfig,
        tasks,
        duration,
        rate,
        failureRate,
        slowAgent,
        jdbcUrl,
        port,
        listen,
        otlpEndpoint,
        printTraces,
        role,
        instance,
        loop,
        budget);
  }

  /** The budget each task's conversation gets, unlimited without {@code --budget}. */
  ConversationBudget conversationBudget() {
    return budget == null ? ConversationBudget.unlimited() : budget(budget);
  }

  /**
   * Parses {@code tokens=N,cost=USD,hops=N,time=30s} (any subset, in any order); throws {@link
   * IllegalArgumentException} saying what is wrong.
   */
  static ConversationBudget budget(String spec) {
    ConversationBudget.Builder budget = ConversationBudget.builder();
    for (String limit : spec.split(",")) {
      String[] kv = limit.trim().split("=", 2);
      String value = kv.length == 2 ? kv[1].trim() : "";
      try {
        switch (kv[0].trim()) {
          case "tokens" -> budget.setMaxTokens(Long.parseLong(value));
          case "cost" -> budget.setMaxCost(Double.parseDouble(value.replace("$", "")));
          case "hops" -> budget.setMaxHops(Long.parseLong(value));
          case "time" -> budget.setMaxDuration(duration(value));
          default -> throw new NumberFormatException();
        }
      } catch (IllegalArgumentException e) {
        // The builder says which limit is out of range; a number that is no number says nothing.
        boolean why = !(e instanceof NumberFormatException) && !e.getMessage().startsWith("--");
        throw new IllegalArgumentException(
            "--budget takes limits like tokens=20000,cost=0.01,hops=12,time=60s (any subset),"
                + " was "
                + spec
                + (why ? ": " + e.getMessage() : ""));
      }
    }
    return budget.build();
  }
}
