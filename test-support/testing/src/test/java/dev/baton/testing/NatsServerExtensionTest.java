/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.NatsServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test broker never outlives the JVM that started it, even one killed with SIGKILL. */
class NatsServerExtensionTest {

  /** A child JVM: starts a server, prints its PID, then waits to be killed. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      NatsServer server = NatsServer.start();
      System.out.println("DIR " + server.directory());
      System.out.println("PID " + server.pid());
      System.out.flush();
      Thread.sleep(60_000);
    }
  }

  @Test
  void aServerDiesWithItsJvmEvenAfterSigkill() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                List.of(
                    javaBin, "-cp", System.getProperty("java.class.path"), Child.class.getName()))
            .redirectErrorStream(true)
            .start();
    long serverPid = -1;
    Path dir = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("DIR ")) {
          dir = Path.of(line.substring(4).trim());
        }
        if (line.startsWith("PID ")) {
          serverPid = Long.parseLong(line.substring(4).trim());
          break;
        }
      }
      assertThat(serverPid).as("the child started a server").isPositive();
      ProcessHandle server = ProcessHandle.of(serverPid).orElseThrow();
      assertThat(server.info().command().orElse("")).contains("nats-server");

      child.destroyForcibly(); // SIGKILL: no shutdown hook runs
      child.waitFor();

      Await.until(
          "the orphaned nats-server is gone", Duration.ofSeconds(10), () -> !server.isAlive());
    } finally {
      child.destroyForcibly();
      if (serverPid > 0) {
        ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroyForcibly);
      }
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
