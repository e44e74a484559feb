/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RetriableException;

/**
 * A real Kafka KRaft broker (combined broker and controller) in a child JVM started from the Maven
 * Central jars on the test classpath: random ports and a temporary log directory chosen once, so it
 * can be killed ({@code SIGKILL}), paused ({@code SIGSTOP}) and restarted on the same ports and
 * data. The child halts when this JVM dies (its standard input reaches EOF). Stopped by PID.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final String clusterId;
  private final Member member;
  private Process process;
  private OutputStream lifeline;
  private Duration lastStartTime = Duration.ZERO;
  private KafkaSecurity security;

  /**
   * A node's place in a cluster: its id, the static controller quorum ({@code
   * 1@127.0.0.1:PORT,...}) and the replication the internal topics get; a single broker is node 1
   * of a quorum of itself.
   */
  record Member(int nodeId, String quorumVoters, int replication) {}

  private KafkaBroker(Path dir, int port, int controllerPort, String clusterId, Member member) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.clusterId = clusterId;
    this.member = member;
  }

  /**
   * Starts a broker and waits until it answers {@code describeCluster}.
   *
   * @return the running broker; close it to stop it and delete its directory
   * @throws Exception when the broker does not start or answer in time
   */
  public static KafkaBroker start() throws Exception {
    Path dir = Files.createTempDirectory("baton-kafka-");
    int[] ports = freePorts(2);
    KafkaBroker broker =
        new KafkaBroker(dir, ports[0], ports[1], Uuid.randomUuid().toString(), null);
    broker.writeProperties();
    broker.launch();
    return broker;
  }

  /**
   * Starts a broker whose one client listener is {@code SASL_SSL} under the standard authorizer
   * (see {@link KafkaSecurity}) and waits until it answers its super user.
   *
   * @param security the users, passwords and stores
   * @return the running broker; close it to stop it and delete its directory
   * @throws Exception when the broker does not start or answer in time
   */
  public static KafkaBroker start(KafkaSecurity security) throws Exception {
    Path dir = Files.createTempDirectory("baton-kafka-");
    int[] ports = freePorts(2);
    KafkaBroker broker =
        new KafkaBroker(dir, ports[0], ports[1], Uuid.randomUuid().toString(), null);
    broker.security = Objects.requireNonNull(security, "security");
    broker.writeProperties();
    broker.launch();
    return broker;
  }

  /**
   * Launches one member of a cluster without waiting: a KRaft quorum answers only once a majority
   * of its controllers runs. See {@link KafkaCluster}.
   */
  static KafkaBroker launchMember(int port, int controllerPort, String clusterId, Member member)
      throws Exception {
    KafkaBroker broker =
        new KafkaBroker(
            Files.createTempDirectory("baton-kafka-"), port, controllerPort, clusterId, member);
    broker.writeProperties();
    broker.startProcess();
    return broker;
  }

  /** Waits until this member answers {@code describeCluster}. */
  void awaitMemberReady() throws Exception {
    awaitReady();
  }

  /** {@return this broker's node id (1 for a single broker)} */
  public int nodeId() {
    return member == null ? 1 : member.nodeId();
  }

  /** {@return the client address, {@code 127.0.0.1:PORT}} */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** {@return how long the last (re)start took until the broker answered} */
  public Duration lastStartTime() {
    return lastStartTime;
  }

  /** {@return the temporary directory holding the properties, the data and the log} */
  public Path directory() {
    return dir;
  }

  /** {@return the broker JVM's PID} */
  public long pid() {
    return process.pid();
  }

  /**
   * Kills the broker with {@code SIGKILL} and waits until it is gone.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * Freezes the broker with {@code SIGSTOP}.
   *
   * @throws Exception when the signal cannot be sent
   */
  public void pause() throws Exception {
    signal("STOP");
  }

  /**
   * Thaws a paused broker with {@code SIGCONT}.
   *
   * @throws Exception when the signal cannot be sent
   */
  public void resume() throws Exception {
    signal("CONT");
  }

  /**
   * Starts a killed broker again on the same ports and data, and waits until it answers.
   *
   * @throws Exception when the broker does not start or answer in time
   */
  public void restart() throws Exception {
    // (A cluster member answers as soon as the rest of its quorum does.)
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the broker is running");
    }
    launch();
  }

  /**
   * Creates a topic and waits until the broker serves its partitions (see {@link #awaitLeaders}).
   *
   * @param name the topic's name
   * @param partitions how many partitions it has
   * @throws Exception when the broker refuses the topic or serves it late
   */
  public void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      awaitLeaders(admin, List.of(name), Duration.ofSeconds(30));
    }
  }

  /**
   * Waits (at most {@code timeout}) until the broker that answers {@code admin} names a leader for
   * every partition of {@code topics} and each leader answers for its offsets: write to a topic
   * just created only then. An idempotent producer that writes to a partition the broker has not
   * applied yet can have its first request refused (NOT_LEADER_OR_FOLLOWER) while its next one is
   * accepted; the first then fails with OUT_OF_ORDER_SEQUENCE_NUMBER on every retry until the
   * delivery timeout, two minutes by default (KAFKA-15591, fixed on the broker side in a later
   * release). Seen here: a new embedded broker's first heartbeats, and a close that waited for
   * them. Returns at the deadline either way.
   *
   * @param admin an admin client of the broker or cluster
   * @param topics the topics to wait for
   * @param timeout the longest to wait
   * @throws Exception when a partition has no leader in time
   */
  public static void awaitLeaders(Admin admin, Collection<String> topics, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean served;
      try {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        served =
            admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                .allMatch(
                    topic ->
                        topic.partitions().stream()
                            .allMatch(
                                p -> {
                                  partitions.put(
                                      new TopicPartition(topic.name(), p.partition()),
                                      OffsetSpec.latest());
                                  return p.leader() != null && !p.leader().isEmpty();
                                }));
        if (served) {
          // The metadata names a leader a moment before the leader's replica takes writes; a
          // partition's offsets come from that replica, so they answer only once it does.
          admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS);
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw e;
        }
        served = false; // not in the answering broker's metadata, or not its leader, yet
      }
      if (served || System.nanoTime() > deadline) {
        return;
      }
      Thread.sleep(50);
    }
  }

  /**
   * {@return an admin client for this broker (its super user on a secured one); the caller closes
   * it}
   */
  public Admin admin() {
    return admin(bootstrapServers(), security == null ? Map.of() : security.adminConfig());
  }

  /** An admin client with short timeouts (5 s a request, 10 s a call). */
  static Admin admin(String bootstrapServers) {
    return admin(bootstrapServers, Map.of());
  }

  private static Admin admin(String bootstrapServers, Map<String, Object> security) {
    Map<String, Object> config = new HashMap<>(security);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    return Admin.create(config);
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
    if (lifeline != null) {
      try {
        lifeline.close();
      } catch (IOException e) {
        // the child is gone already
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " failed");
    }
  }

  private void writeProperties() throws IOException {
    Path logs = dir.resolve("logs");
    String listener = security == null ? "PLAINTEXT" : "SASL_SSL";
    int replication = member == null ? 1 : member.replication();
    int minIsr = Math.max(1, replication - 1);
    String quorum =
        member == null
            ? "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort
            : "controller.quorum.voters=" + member.quorumVoters();
    String properties =
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=" + nodeId(),
            quorum,
            "listeners="
                + listener
                + "://127.0.0.1:"
                + port
                + ",CONTROLLER://127.0.0.1:"
                + controllerPort,
            "advertised.listeners=" + listener + "://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=" + listener,
            "log.dirs=" + logs,
            "num.partitions=1",
            "offsets.topic.replication.factor=" + replication,
            "offsets.topic.num.partitions=3",
            "transaction.state.log.replication.factor=" + replication,
            "transaction.state.log.min.isr=" + minIsr,
            "share.coordinator.state.topic.replication.factor=" + replication,
            "share.coordinator.state.topic.min.isr=" + minIsr,
            "min.insync.replicas=1",
            "group.initial.rebalance.delay.ms=0",
            "broker.heartbeat.interval.ms=250",
            "broker.session.timeout.ms=1500",
            "log.cleaner.dedupe.buffer.size=2097152",
            "num.io.threads=2",
            "num.network.threads=2",
            "background.threads=2",
            "num.recovery.threads.per.data.dir=1",
            "auto.create.topics.enable=true",
            security == null ? "" : security.brokerProperties());
    Files.writeString(dir.resolve("server.properties"), properties, StandardCharsets.UTF_8);
  }

  private void launch() throws Exception {
    long started = System.nanoTime();
    startProcess();
    awaitReady();
    lastStartTime = Duration.ofNanos(System.nanoTime() - started);
  }

  private void startProcess() throws Exception {
    requireBrokerJars();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add("-Dorg.slf4j.simpleLogger.logFile=System.out");
    command.add("-cp");
    command.add(classpath());
    command.add(KafkaBrokerProcess.class.getName());
    command.add(dir.resolve("server.properties").toString());
    command.add(clusterId);
    command.add(dir.resolve("logs").toString());
    command.add(member == null ? "standalone" : "voters");
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
            .start();
    lifeline = process.getOutputStream(); // kept open: its EOF tells the child we are gone
  }

  /** The broker's own jars are an optional dependency: say which one is missing. */
  private static void requireBrokerJars() {
    try {
      Class.forName("kafka.Kafka", false, KafkaBrokerProcess.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "KafkaBroker runs the broker from its jars, which are not on the class path: add"
              + " org.apache.kafka:kafka_2.13 (test scope for tests) to the build",
          e);
    }
  }

  /**
   * The classpath this class was loaded from: {@code java.class.path} in a test JVM, the class
   * loader's URLs where a tool such as {@code exec:java} loads the project in its own loader.
   */
  private static String classpath() {
    ClassLoader loader = KafkaBrokerProcess.class.getClassLoader();
    if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
      List<String> entries = new ArrayList<>();
      for (URL url : urls.getURLs()) {
        try {
          entries.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
          // not a file: the child cannot use it anyway
        }
      }
      return String.join(File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the broker exited; log:\n" + log());
        }
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          last = e;
        }
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("the broker did not answer in time; log:\n" + log(), last);
  }

  private String log() {
    try {
      String text = Files.readString(dir.resolve("broker.log"));
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static int[] freePorts(int count) throws IOException {
    int[] ports = new int[count];
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
    return ports;
  }
}
