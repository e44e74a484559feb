/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What a public repository's users and tools expect of the build: the licence and its header on
 * every Java file, the POM metadata, a BOM that lists every published artifact at the build's
 * version, and a stable module name in every jar (with sources and javadoc jars beside each
 * library's).
 */
class ReleaseHygieneTest {

  private static final Path ROOT = Path.of("..");
  private static final String HEADER =
      "/*\n * Copyright 2026 the Baton authors\n * SPDX-License-Identifier: Apache-2.0\n */\n";

  /** Modules that are applications or examples: built, never published. */
  private static final Set<String> UNPUBLISHED =
      Set.of("demo-swarm", "tools/bench", "examples/nats-agent", "examples/kafka-agent", "bom");

  @Test
  void theLicenceIsApache2AndEveryJavaFileStartsWithItsHeader() throws Exception {
    assertThat(Files.readString(ROOT.resolve("LICENSE")))
        .contains("Apache License", "Version 2.0, January 2004");
    List<Path> without = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> !f.toString().contains("/target/") && !f.toString().contains("/.git/"))
              .toList()) {
        if (!Files.readString(file).startsWith(HEADER)) {
          without.add(file);
        }
      }
    }
    assertThat(without).as("Java files without the licence header").isEmpty();
  }

  @Test
  void theParentPomHasWhatAPublicRepositoryRequires() throws Exception {
    Element parent = pom(ROOT.resolve("pom.xml"));
    for (String tag : List.of("url", "licenses", "developers", "scm", "description")) {
      assertThat(child(parent, tag)).as("<%s> in the parent pom", tag).isNotNull();
    }
    assertThat(text(child(child(child(parent, "licenses"), "license"), "name")))
        .isEqualTo("Apache-2.0");
  }

  @Test
  void theBomListsEveryPublishedArtifactAtTheBuildsVersion() throws Exception {
    Element parent = pom(ROOT.resolve("pom.xml"));
    Element bom = pom(ROOT.resolve("bom/pom.xml"));
    assertThat(text(child(bom, "version"))).isEqualTo(text(child(parent, "version")));
    assertThat(child(bom, "parent")).as("the BOM inherits nothing").isNull();
    Set<String> listed = new TreeSet<>();
    NodeList dependencies = bom.getElementsByTagName("dependency");
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element dependency = (Element) dependencies.item(i);
      listed.add(text(child(dependency, "artifactId")));
      assertThat(text(child(dependency, "version"))).isEqualTo("${project.version}");
    }
    Set<String> published = new TreeSet<>();
    for (String module : modules()) {
      if (!UNPUBLISHED.contains(module)) {
        published.add(text(child(pom(ROOT.resolve(module).resolve("pom.xml")), "artifactId")));
      }
    }
    assertThat(listed).isEqualTo(published);
  }

  @Test
  void everyJarHasAStableModuleNameAndEveryLibraryItsSourcesAndJavadoc() throws Exception {
    Set<String> names = new TreeSet<>();
    List<String> modules = modules();
    List<String> upstream = modules.subList(0, modules.indexOf("demo-swarm"));
    for (String module : modules) {
      if (module.equals("bom")) {
        continue;
      }
      Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
      String name = text(child(child(pom, "properties"), "baton.module"));
      assertThat(name).as("%s sets baton.module", module).matches("dev\\.baton(\\.[a-z]+)+");
      assertThat(names.add(name)).as("%s's module name %s is its own", module, name).isTrue();
      String artifact = text(child(pom, "artifactId"));
      Path jar = ROOT.resolve(module).resolve("target/" + artifact + "-0.1.0-SNAPSHOT.jar");
      if (!Files.exists(jar)) {
        // Packaged after this module in the reactor, or `mvn test` without `package`: CI runs
        // `verify`, where every module listed before the demo is packaged first.
        assertThat(!upstream.contains(module) || !"true".equals(System.getenv("CI")))
            .as("%s packaged before the demo's tests under CI", jar)
            .isTrue();
        continue;
      }
      try (JarFile file = new JarFile(jar.toFile())) {
        assertThat(file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
            .as("%s's Automatic-Module-Name", jar)
            .isEqualTo(name);
      }
      if (!UNPUBLISHED.contains(module)) {
        for (String classifier : List.of("sources", "javadoc")) {
          assertThat(
                  ROOT.resolve(module)
                      .resolve("target/" + artifact + "-0.1.0-SNAPSHOT-" + classifier + ".jar"))
              .as("%s's %s jar", module, classifier)
              .exists();
        }
      }
    }
  }

  private static List<String> modules() throws Exception {
    List<String> modules = new ArrayList<>();
    NodeList list = pom(ROOT.resolve("pom.xml")).getElementsByTagName("module");
    for (int i = 0; i < list.getLength(); i++) {
      modules.add(list.item(i).getTextContent().trim());
    }
    assertThat(modules).contains("bom", "transport-api", "demo-swarm");
    return modules;
  }

  private static Element pom(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document document = factory.newDocumentBuilder().parse(file.toFile());
    return document.getDocumentElement();
  }

  /** The direct child element named {@code tag}, or {@code null}. */
  private static Element child(Element parent, String tag) {
    if (parent == null) {
      return null;
    }
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(tag)) {
        return element;
      }
    }
    return null;
  }

  private static String text(Element element) {
    return element == null ? null : element.getTextContent().trim();
  }
}
