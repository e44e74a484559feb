/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the pages under docs/ stay usable: the README is short, every page starts with
 * what its reader will be able to do, and every relative link (and the heading it names) exists.
 */
class DocsTest {

  private static final Path ROOT = Path.of("..");
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

  @Test
  void theReadmeIsShortAndLinksEveryPage() throws Exception {
    List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
    assertThat(readme.size()).as("README lines").isLessThanOrEqualTo(250);
    String text = String.join("\n", readme);
    for (Path page : pages()) {
      if (page.getFileName().toString().equals("cost-history.md")) {
        continue; // linked from performance.md
      }
      String path = ROOT.resolve("docs").relativize(page).toString();
      assertThat(text).as("the README links %s", page).contains("(docs/" + path + ")");
    }
  }

  @Test
  void everyPageStartsWithWhatItsReaderWillBeAbleToDo() throws Exception {
    for (Path page : pages()) {
      List<String> lines = Files.readAllLines(page);
      assertThat(lines.get(0)).as("%s's title", page).startsWith("# ");
      if (!List.of("wire-format.md", "writing-a-transport.md", "cost-history.md")
          .contains(page.getFileName().toString())) {
        assertThat(lines.get(2)).as("%s's first sentence", page).startsWith("After reading this");
      }
    }
  }

  @Test
  void everyRelativeLinkAndHeadingItNamesExists() throws Exception {
    List<Path> files = new ArrayList<>(pages());
    for (String top : List.of("README.md", "CONTRIBUTING.md", "CHANGELOG.md")) {
      files.add(ROOT.resolve(top));
    }
    List<String> broken = new ArrayList<>();
    for (Path file : files) {
      String text = withoutCode(Files.readString(file));
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        String target = link.group(1);
        if (target.startsWith("http://")
            || target.startsWith("https://")
            || target.startsWith("mailto:")) {
          continue;
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        if (!Files.exists(resolved)) {
          broken.add(file.getFileName() + ": " + target + " (no such file)");
        } else if (anchor != null
            && resolved.toString().endsWith(".md")
            && !anchors(resolved).contains(anchor)) {
          broken.add(file.getFileName() + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  private static List<Path> pages() throws Exception {
    try (Stream<Path> list = Files.walk(ROOT.resolve("docs"), 2)) {
      List<Path> pages = list.filter(p -> p.toString().endsWith(".md")).sorted().toList();
      assertThat(pages).hasSizeGreaterThan(10);
      return pages;
    }
  }

  /** The anchors GitHub makes of a page's headings. */
  private static Set<String> anchors(Path page) throws Exception {
    Set<String> anchors = new HashSet<>();
    for (String line : withoutCode(Files.readString(page)).split("\n")) {
      if (line.startsWith("#")) {
        String heading = line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT);
        anchors.add(heading.replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }

  /** The text without its fenced code blocks (a {@code #} there is no heading, a link no link). */
  private static String withoutCode(String text) {
    StringBuilder out = new StringBuilder();
    boolean code = false;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("```")) {
        code = !code;
        continue;
      }
      if (!code) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }
}
