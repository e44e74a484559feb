/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real nats-server cluster with JetStream: {@code size} members on loopback ports, full-mesh
 * routes, each with its own store, started from the binary like {@link NatsServer} (each member can
 * be killed with {@code SIGKILL} and restarted on its ports and store). Never touches a NATS
 * service the machine runs itself.
 */
public final class NatsCluster implements AutoCloseable {

  private final List<NatsServer> members;

  private NatsCluster(List<NatsServer> members) {
    this.members = members;
  }

  /**
   * Starts {@code size} members and waits until every one is healthy (JetStream current). The
   * members must know each other's route ports before they start, so the ports are picked free and
   * bound later: when another process takes one meanwhile, the whole cluster starts again on new
   * ports (up to three times).
   *
   * @param size how many members
   * @return the running cluster; close it to stop every member
   * @throws Exception when a member does not start or get healthy in time
   */
  public static NatsCluster start(int size) throws Exception {
    if (size < 1) {
      throw new IllegalArgumentException("a cluster needs at least one member: " + size);
    }
    return TakenPorts.retry(() -> startOnce(size));
  }

  private static NatsCluster startOnce(int size) throws Exception {
    int[] clientPorts = new int[size];
    int[] monitorPorts = new int[size];
    int[] routePorts = new int[size];
    for (int i = 0; i < size; i++) {
      clientPorts[i] = freePort();
      monitorPorts[i] = freePort();
      routePorts[i] = freePort();
    }
    List<NatsServer> members = new ArrayList<>();
    NatsCluster cluster = new NatsCluster(members);
    try {
      for (int i = 0; i < size; i++) {
        List<String> routes = new ArrayList<>();
        for (int j = 0; j < size; j++) {
          if (j != i) {
            routes.add("nats://127.0.0.1:" + routePorts[j]);
          }
        }
        members.add(
            NatsServer.launchMember(
                clientPorts[i],
                monitorPorts[i],
                List.of(
                    "--name",
                    "baton-" + (i + 1),
                    "--cluster_name",
                    "baton",
                    "--cluster",
                    "nats://127.0.0.1:" + routePorts[i],
                    "--routes",
                    String.join(",", routes))));
      }
      for (NatsServer member : members) {
        member.awaitReady();
      }
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** {@return the members, in start order} */
  public List<NatsServer> members() {
    return List.copyOf(members);
  }

  /** {@return every member's client URL, comma-separated (a client's server list)} */
  public String urls() {
    return members.stream().map(NatsServer::url).collect(Collectors.joining(","));
  }

  /**
   * {@return the member whose client port is in {@code connectedUrl}, say a connection's current
   * URL}
   *
   * @param connectedUrl a client URL, say {@code nats://127.0.0.1:4222}
   */
  public NatsServer memberAt(String connectedUrl) {
    for (NatsServer member : members) {
      if (connectedUrl.endsWith(":" + member.url().substring(member.url().lastIndexOf(':') + 1))) {
        return member;
      }
    }
    throw new IllegalArgumentException("no member serves " + connectedUrl);
  }

  /** Stops every member and deletes its store. */
  @Override
  public void close() throws Exception {
    Closeables.closeAll(members);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
