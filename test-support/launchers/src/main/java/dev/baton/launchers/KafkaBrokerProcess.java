/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of a test broker's child JVM: formats the KRaft storage on first start, runs
 * {@code kafka.Kafka}, and halts as soon as its standard input reaches end-of-file, which happens
 * when the parent test JVM dies, however it dies.
 */
public final class KafkaBrokerProcess {

  private KafkaBrokerProcess() {}

  /**
   * Arguments: the server.properties path, the cluster id, the log directory, and {@code
   * standalone} (a quorum of this node alone) or {@code voters} (the static quorum in the
   * properties).
   *
   * @param args the arguments above
   * @throws Exception when the broker cannot start
   */
  public static void main(String[] args) throws Exception {
    Thread orphanGuard =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // the parent never writes; EOF means it is gone
                }
              } catch (Exception e) {
                // fall through: treat as EOF
              }
              Runtime.getRuntime().halt(0);
            },
            "orphan-guard");
    orphanGuard.setDaemon(true);
    orphanGuard.start();

    String properties = args[0];
    String clusterId = args[1];
    Path logDir = Path.of(args[2]);
    boolean standalone = args.length < 4 || args[3].equals("standalone");
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      int rc =
          kafka.tools.StorageTool.execute(
              standalone
                  ? new String[] {"format", "-t", clusterId, "-c", properties, "--standalone"}
                  : new String[] {"format", "-t", clusterId, "-c", properties},
              System.out);
      if (rc != 0) {
        System.err.println("storage format failed: " + rc);
        Runtime.getRuntime().halt(2);
      }
    }
    kafka.Kafka.main(new String[] {properties});
  }
}
