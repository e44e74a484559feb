/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.DocBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every fenced block on every page (README, CONTRIBUTING, docs/) is compiled or run by the build
 * and compared with the page. A Java block is a region of a source file the build compiles (between
 * {@code // docs example: start} and {@code // docs example: end}, or the README example markers),
 * and every such region is on a page. Any other block has a marker on the line before it, {@code
 * <!-- checked by SomeTest: id -->}, and the test it names holds the id and the page's name: that
 * test runs what the block shows and compares (see {@link DocBlock}). Commands, POM snippets and
 * pictures are checked here: every module, profile, class, option, script and jar a command names
 * exists; a dependency names a module of this build at its version; every module, subject and file
 * a picture names exists in the code.
 */
class DocBlocksTest {

  private static final Path ROOT = Path.of("..");
  private static final Pattern REGION_START = Pattern.compile("^// (README|docs) example: start$");
  private static final Pattern REGION_END = Pattern.compile("^// (README|docs) example: end$");

  /** A fenced block: where it is, its language, the marker before it (or null), its lines. */
  record Block(
      Path page, int line, String language, String checker, String id, List<String> lines) {
    String text() {
      return String.join("\n", lines);
    }

    String where() {
      return ROOT.relativize(page) + ":" + line;
    }
  }

  @Test
  void everyJavaBlockIsCodeTheBuildCompiles() throws Exception {
    Map<String, Path> regions = regions();
    assertThat(regions).hasSizeGreaterThan(10);
    List<String> unmatched = new ArrayList<>();
    Set<String> shown = new HashSet<>();
    for (Block block : blocks()) {
      if (block.language().equals("java")) {
        String text = block.text().strip();
        if (regions.containsKey(text)) {
          shown.add(text);
        } else {
          unmatched.add(block.where() + "\n" + text);
        }
      }
    }
    assertThat(unmatched)
        .as(
            "Java blocks that are no region of a compiled source file (mark one with // docs"
                + " example: start / end and show it verbatim)")
        .isEmpty();
    List<String> unshown = new ArrayList<>();
    regions.forEach(
        (text, source) -> {
          if (!shown.contains(text)) {
            unshown.add(ROOT.relativize(source) + "\n" + text);
          }
        });
    assertThat(unshown).as("example regions no page shows").isEmpty();
  }

  @Test
  void everyOtherBlockNamesTheTestThatChecksIt() throws Exception {
    Map<String, String> tests = testSources();
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Block block : blocks()) {
      if (block.language().equals("java")) {
        continue;
      }
      if (block.checker() == null) {
        problems.add(block.where() + ": no <!-- checked by Test: id --> marker before the block");
        continue;
      }
      if (!seen.add(block.page() + "#" + block.id())) {
        problems.add(block.where() + ": the id '" + block.id() + "' is taken on this page");
      }
      if (block.checker().equals("DocBlocksTest")) {
        continue;
      }
      String source = tests.get(block.checker());
      String page = block.page().getFileName().toString();
      if (source == null) {
        problems.add(block.where() + ": no test class " + block.checker());
      } else if (!(source.contains("\"" + block.id() + "\"")
              || (block.id().contains("-")
                  && source.contains(
                      "\"" + block.id().substring(0, block.id().lastIndexOf('-') + 1) + "\"")))
          || !source.contains(page)) {
        problems.add(
            block.where()
                + ": "
                + block.checker()
                + " does not check '"
                + block.id()
                + "' of "
                + page);
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyCommandNamesWhatExists() throws Exception {
    List<String> problems = new ArrayList<>();
    int commands = 0;
    for (Block block : blocks("commands")) {
      Map<String, String> variables = new HashMap<>();
      for (String command : commands(block)) {
        commands++;
        problems.addAll(
            check(command, variables).stream().map(p -> block.where() + ": " + p).toList());
      }
    }
    assertThat(commands).isGreaterThan(20);
    assertThat(problems).isEmpty();
  }

  @Test
  void everyDependencyIsAModuleOfThisBuildAtItsVersion() throws Exception {
    Set<String> artifacts = new HashSet<>();
    for (Path pom : poms()) {
      artifacts.add(artifactId(Files.readString(pom)));
    }
    String version =
        tag(Files.readString(ROOT.resolve("pom.xml")).split("</parent>")[0], "version");
    List<String> problems = new ArrayList<>();
    for (Block block : blocks("pom")) {
      Matcher a = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(block.text());
      int found = 0;
      while (a.find()) {
        found++;
        if (!artifacts.contains(a.group(1))) {
          problems.add(block.where() + ": no module " + a.group(1));
        }
      }
      Matcher v = Pattern.compile("<version>([^<]+)</version>").matcher(block.text());
      while (v.find()) {
        if (!v.group(1).equals(version)) {
          problems.add(block.where() + ": version " + v.group(1) + ", the build's is " + version);
        }
      }
      if (found == 0) {
        problems.add(block.where() + ": no artifactId");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyNameInAPictureExists() throws Exception {
    StringBuilder code = new StringBuilder();
    for (Path file : files(".java", ".xml", ".yml", ".yaml", ".properties", ".sh")) {
      code.append(Files.readString(file)).append('\n');
    }
    Pattern name = Pattern.compile("[a-z][a-z0-9]*(?:[.\\-/][a-z0-9*>_]+)+(?:\\.md)?");
    List<String> problems = new ArrayList<>();
    int names = 0;
    for (Block block : blocks("picture")) {
      Matcher m = name.matcher(block.text());
      while (m.find()) {
        String token = m.group();
        names++;
        boolean exists =
            Files.exists(ROOT.resolve(token))
                || code.indexOf("\"" + token) >= 0
                || code.indexOf(token) >= 0;
        if (!exists) {
          problems.add(block.where() + ": " + token);
        }
      }
    }
    assertThat(names).isGreaterThan(10);
    assertThat(problems).as("names in pictures that nothing in the code has").isEmpty();
  }

  /** The problems with one command line. */
  private static List<String> check(String command, Map<String, String> variables)
      throws Exception {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> v : variables.entrySet()) {
      command =
          command
              .replace("$" + v.getKey(), v.getValue())
              .replace("${" + v.getKey() + "}", v.getValue());
    }
    List<String> words = words(command);
    while (!words.isEmpty() && words.get(0).matches("[A-Z_]+=.*")) {
      String[] assignment = words.remove(0).split("=", 2);
      variables.put(assignment[0], assignment[1]);
    }
    if (words.isEmpty()) {
      return problems;
    }
    String program = words.get(0);
    switch (program) {
      case "mvn" -> problems.addAll(maven(words));
      case "java" -> problems.addAll(java(words));
      case "docker" -> problems.addAll(docker(words));
      case "for" -> variables.put(words.get(1), words.get(3));
      case "done", "do", "wait", "cat", "curl", "kill", "sleep" -> {}
      default -> {
        Path script = ROOT.resolve(program);
        if (!Files.isExecutable(script)) {
          problems.add("no executable " + program);
        } else {
          String text = Files.readString(script);
          for (String word : words.subList(1, words.size())) {
            if (word.startsWith("--") && !text.contains(word)) {
              problems.add(program + " has no option " + word);
            }
          }
        }
      }
    }
    return problems;
  }

  private static List<String> maven(List<String> words) throws Exception {
    List<String> problems = new ArrayList<>();
    String module = null;
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals("-pl")) {
        module = words.get(++i);
        for (String m : module.split(",")) {
          if (!m.startsWith("!") && !Files.exists(ROOT.resolve(m).resolve("pom.xml"))) {
            problems.add("no module " + m);
          }
        }
      } else if (w.startsWith("-P")) {
        String profile = w.substring(2);
        if (!Files.readString(ROOT.resolve("pom.xml")).contains("<id>" + profile + "</id>")) {
          problems.add("no profile " + profile);
        }
      } else if (w.startsWith("-Dexec.mainClass=")) {
        String main = w.substring("-Dexec.mainClass=".length());
        if (sourceOf(main) == null) {
          problems.add("no class " + main);
        }
      } else if (w.startsWith("-Dexec.args=")) {
        problems.addAll(swarmOptions(words(w.substring("-Dexec.args=".length()))));
      } else if (w.startsWith("-Dtest=")) {
        for (String test : w.substring("-Dtest=".length()).split(",")) {
          if (!test.contains("*")
              && files(".java").stream()
                  .noneMatch(f -> f.getFileName().toString().equals(test + ".java"))) {
            problems.add("no test " + test);
          }
        }
      }
    }
    return problems;
  }

  private static List<String> java(List<String> words) throws Exception {
    List<String> problems = new ArrayList<>();
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals("-jar")) {
        String jar = words.get(++i);
        Matcher m = Pattern.compile("(.+)/target/([^/]+)\\.jar").matcher(jar);
        if (!m.matches()
            || !Files.readString(ROOT.resolve(m.group(1)).resolve("pom.xml"))
                .contains("<finalName>" + m.group(2) + "</finalName>")) {
          problems.add("no module builds " + jar);
        }
        return problems;
      }
      if (w.equals("-cp")) {
        i++;
        continue;
      }
      if (w.matches("[a-z]+(\\.[a-z]+)+\\.[A-Z]\\w+")) {
        if (sourceOf(w) == null) {
          problems.add("no class " + w);
        } else if (w.equals("dev.baton.demo.SwarmMain")) {
          problems.addAll(swarmOptions(words.subList(i + 1, words.size())));
        }
        return problems;
      }
    }
    return problems;
  }

  /** The demo's own parser reads the options (and says what is wrong with them). */
  private static List<String> swarmOptions(List<String> options) {
    List<String> args = new ArrayList<>();
    for (String o : options) {
      if (o.equals(">") || o.equals("2>&1") || o.equals("&") || o.startsWith(">")) {
        break;
      }
      args.add(o);
    }
    try {
      SwarmConfig.parse(args, null);
      return List.of();
    } catch (RuntimeException e) {
      return List.of("the demo refuses " + args + ": " + e.getMessage());
    }
  }

  private static List<String> docker(List<String> words) throws Exception {
    String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
    List<String> problems = new ArrayList<>();
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals("--profile")
          && !Pattern.compile("profiles:.*\\b" + Pattern.quote(words.get(++i)) + "\\b")
              .matcher(compose)
              .find()) {
        problems.add("no compose profile " + words.get(i));
      } else if (w.equals("--scale")) {
        String service = words.get(++i).split("=")[0];
        if (!compose.contains("\n  " + service + ":")) {
          problems.add("no compose service " + service);
        }
      }
    }
    return problems;
  }

  /** The command lines of a block: comments dropped, continuations joined, split at && and ;. */
  private static List<String> commands(Block block) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : block.lines()) {
      String l = line.replaceFirst("(^|\\s)#.*$", "").strip();
      if (l.startsWith("$ ")) {
        l = l.substring(2);
      }
      if (l.endsWith("\\")) {
        current.append(l, 0, l.length() - 1).append(' ');
        continue;
      }
      current.append(l);
      for (String part : current.toString().split("&&|;")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
      current.setLength(0);
    }
    return out;
  }

  /** Shell words: quotes kept together and removed. */
  private static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("(?:[^\\s\"']+|\"[^\"]*\"|'[^']*')+").matcher(command);
    while (m.find()) {
      words.add(m.group().replace("\"", "").replace("'", ""));
    }
    return words;
  }

  private static Path sourceOf(String className) throws Exception {
    String file = className.replace('.', '/') + ".java";
    return files(".java").stream()
        .filter(f -> f.toString().endsWith(file))
        .findFirst()
        .orElse(null);
  }

  private static List<Block> blocks(String kind) throws Exception {
    return blocks().stream()
        .filter(b -> "DocBlocksTest".equals(b.checker()))
        .filter(b -> b.id().equals(kind) || b.id().startsWith(kind + "-"))
        .toList();
  }

  static List<Block> blocks() throws Exception {
    List<Path> pages =
        new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md")));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"), 2)) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<Block> blocks = new ArrayList<>();
    for (Path page : pages) {
      List<String> lines = Files.readAllLines(page);
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).startsWith("```")) {
          continue;
        }
        int end = i + 1;
        while (end < lines.size() && !lines.get(end).startsWith("```")) {
          end++;
        }
        Matcher marker = i > 0 ? DocBlock.MARKER.matcher(lines.get(i - 1)) : null;
        boolean marked = marker != null && marker.matches();
        blocks.add(
            new Block(
                page,
                i + 1,
                lines.get(i).substring(3).strip(),
                marked ? marker.group(1) : null,
                marked ? marker.group(2) : null,
                lines.subList(i + 1, end)));
        i = end;
      }
    }
    return blocks;
  }

  /** Each example region of a compiled source file, by its text (common indentation removed). */
  private static Map<String, Path> regions() throws Exception {
    Map<String, Path> regions = new LinkedHashMap<>();
    for (Path file : files(".java")) {
      List<String> lines = Files.readAllLines(file);
      List<String> region = null;
      for (String line : lines) {
        if (REGION_START.matcher(line.strip()).matches()) {
          region = new ArrayList<>();
        } else if (REGION_END.matcher(line.strip()).matches() && region != null) {
          while (!region.isEmpty() && region.get(0).isBlank()) {
            region.remove(0);
          }
          while (!region.isEmpty() && region.get(region.size() - 1).isBlank()) {
            region.remove(region.size() - 1);
          }
          regions.put(String.join("\n", region).stripIndent().strip(), file);
          region = null;
        } else if (region != null) {
          region.add(line);
        }
      }
    }
    return regions;
  }

  /** Test classes by simple name, their source text. */
  private static Map<String, String> testSources() throws Exception {
    Map<String, String> tests = new HashMap<>();
    for (Path file : files(".java")) {
      if (file.toString().contains("/src/test/")) {
        String name = file.getFileName().toString();
        tests.put(name.substring(0, name.length() - 5), Files.readString(file));
      }
    }
    return tests;
  }

  private static List<Path> poms() throws Exception {
    return files("pom.xml");
  }

  private static String artifactId(String pom) {
    String[] parts = pom.split("</parent>");
    return tag(parts.length > 1 ? parts[1] : parts[0], "artifactId");
  }

  private static String tag(String xml, String tag) {
    Matcher m = Pattern.compile("<" + tag + ">([^<]+)</" + tag + ">").matcher(xml);
    return m.find() ? m.group(1) : "";
  }

  /** The repository's files ending so, build output and hidden folders left out. */
  private static List<Path> files(String... endings) throws Exception {
    try (Stream<Path> all = Files.walk(ROOT)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/."))
          .filter(p -> Stream.of(endings).anyMatch(e -> p.toString().endsWith(e)))
          .toList();
    }
  }
}
