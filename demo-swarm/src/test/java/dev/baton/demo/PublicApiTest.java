/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of every published module, as {@code javap -public} describes its classes (the
 * internal packages left out), is recorded in {@code api/<artifact>.txt}: a change to it fails the
 * build until the record is rewritten in the same change ({@code mvn -pl demo-swarm test
 * -Dtest=PublicApiTest -Dbaton.api.update=true}) and the change is in {@code CHANGELOG.md}. So no
 * API change ships by accident, and a review sees each one as a diff of the record.
 */
class PublicApiTest {

  private static final Path ROOT = Path.of("..");

  /** The published library modules and their artifacts. */
  private static final Map<String, String> MODULES =
      new TreeMap<>(
          Map.of(
              "transport-api", "baton-transport-api",
              "propagation", "baton-propagation",
              "transport-nats", "baton-transport-nats",
              "transport-kafka", "baton-transport-kafka",
              "backplane-metrics", "baton-backplane-metrics",
              "health", "baton-health",
              "test-support/launchers", "baton-launchers",
              "test-support/testing", "baton-testing",
              "integrations/spring-boot-starter", "baton-spring-boot-starter"));

  @Test
  void everyModulesPublicApiIsTheRecordedOne() throws Exception {
    boolean update = Boolean.getBoolean("baton.api.update");
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, String> module : MODULES.entrySet()) {
      Path classes = ROOT.resolve(module.getKey()).resolve("target/classes");
      if (!Files.isDirectory(classes)) {
        // Built after the demo in the reactor (the Spring Boot starter is not: it comes first).
        assertThat(System.getenv("CI"))
            .as("%s compiled before the demo's tests", classes)
            .isNotEqualTo("true");
        continue;
      }
      String api = describe(classes);
      Path record = ROOT.resolve("api").resolve(module.getValue() + ".txt");
      if (update) {
        Files.createDirectories(record.getParent());
        Files.writeString(record, api);
      } else if (!Files.exists(record) || !Files.readString(record).equals(api)) {
        changed.add(module.getValue());
      }
    }
    assertThat(changed)
        .as(
            "modules whose public API differs from api/<artifact>.txt: if the change is meant,"
                + " rewrite the records (mvn -pl demo-swarm test -Dtest=PublicApiTest"
                + " -Dbaton.api.update=true), review their diff and say what changed in"
                + " CHANGELOG.md")
        .isEmpty();
  }

  /** What {@code javap -public} says of every class outside the internal packages, sorted. */
  static String describe(Path classes) throws Exception {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name =
            classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.contains(".internal.")
            || name.endsWith("package-info")
            || name.matches(".*\\$\\d.*")) {
          continue; // not API: internal packages, package annotations, anonymous classes
        }
        names.add(name);
      }
    }
    names.sort(null);
    StringBuilder api = new StringBuilder();
    ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
    for (String name : names) {
      StringWriter out = new StringWriter();
      int code =
          javap.run(
              new PrintWriter(out),
              new PrintWriter(new StringWriter()),
              "-public",
              "-cp",
              classes.toString(),
              name);
      assertThat(code).as("javap %s", name).isZero();
      List<String> lines = new ArrayList<>();
      for (String line : out.toString().split("\n")) {
        if (!line.startsWith("Compiled from")) {
          lines.add(line);
        }
      }
      // Package-private classes print their header and no member: not API.
      if (!lines.isEmpty() && lines.get(0).matches("^(public |protected ).*")) {
        api.append(String.join("\n", lines)).append('\n');
      }
    }
    return api.toString();
  }
}
