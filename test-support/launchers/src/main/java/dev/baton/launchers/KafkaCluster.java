/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka KRaft cluster: {@code size} nodes, each broker and controller, in child JVMs like
 * {@link KafkaBroker}, with a static controller quorum of all of them and the internal topics
 * replicated to every node (their min.insync.replicas one less). Each node can be killed ({@code
 * SIGKILL}) and restarted on its ports and data.
 */
public final class KafkaCluster implements AutoCloseable {

  private final List<KafkaBroker> nodes;

  private KafkaCluster(List<KafkaBroker> nodes) {
    this.nodes = nodes;
  }

  /**
   * Starts {@code size} nodes and waits until every one answers. The nodes must know each other's
   * controller ports before they start, so the ports are picked free and bound later: when another
   * process takes one meanwhile, the whole cluster starts again on new ports (up to three times).
   *
   * @param size how many nodes, each a controller and a broker
   * @return the running cluster; close it to stop every node
   * @throws Exception when a node does not start or answer in time
   */
  public static KafkaCluster start(int size) throws Exception {
    if (size < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node: " + size);
    }
    return TakenPorts.retry(() -> startOnce(size));
  }

  private static KafkaCluster startOnce(int size) throws Exception {
    int[] ports = KafkaBroker.freePorts(2 * size);
    List<String> voters = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      voters.add((i + 1) + "@127.0.0.1:" + ports[size + i]);
    }
    String clusterId = Uuid.randomUuid().toString();
    List<KafkaBroker> nodes = new ArrayList<>();
    KafkaCluster cluster = new KafkaCluster(nodes);
    try {
      for (int i = 0; i < size; i++) {
        nodes.add(
            KafkaBroker.launchMember(
                ports[i],
                ports[size + i],
                clusterId,
                new KafkaBroker.Member(i + 1, String.join(",", voters), size)));
      }
      for (KafkaBroker node : nodes) {
        node.awaitMemberReady();
      }
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** {@return the nodes, node id 1 first} */
  public List<KafkaBroker> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * {@return the node with {@code nodeId}}
   *
   * @param nodeId a node id, 1 to the cluster's size
   */
  public KafkaBroker node(int nodeId) {
    return nodes.get(nodeId - 1);
  }

  /** {@return every node's {@code 127.0.0.1:PORT}, comma-separated} */
  public String bootstrapServers() {
    return nodes.stream().map(KafkaBroker::bootstrapServers).collect(Collectors.joining(","));
  }

  /** {@return an admin client for the cluster; the caller closes it} */
  public Admin admin() {
    return KafkaBroker.admin(bootstrapServers());
  }

  /**
   * Kills every node (a controlled shutdown waits for a quorum that is leaving too) and deletes its
   * data.
   */
  @Override
  public void close() throws Exception {
    Closeables.closeAll(
        nodes.stream()
            .<AutoCloseable>map(
                node ->
                    () -> {
                      node.kill();
                      node.close();
                    })
            .toList());
  }
}
