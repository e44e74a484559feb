/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fenced block of a documentation page, named by the marker on the line before it: {@code <!--
 * checked by SomeTest: id -->}. The test the marker names finds the block with {@link #of} and
 * compares it with what the build makes: exactly ({@link #isExactly}) or line by line with numbers,
 * ids and times masked ({@link #isShapedLike}). {@code DocBlocksTest} fails when a page has a block
 * without a marker, or a marker no test claims.
 */
public final class DocBlock {

  /** {@code <!-- checked by Test: id -->}: group 1 the test, group 2 the id. */
  public static final Pattern MARKER =
      Pattern.compile("^<!-- checked by ([A-Za-z0-9]+): ([a-z0-9-]+) -->$");

  /**
   * A hexadecimal id: a UUID, five or more hex digits with a letter and a digit, 16 or 32 digits,
   * or five or more hex digits after a hyphen ({@code task-1-4658-891985}: an id whose digits
   * happen to be all numerals or all letters).
   */
  private static final Pattern HEX =
      Pattern.compile(
          "\\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
              + "|(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{5,}|[0-9]{32}|[0-9]{16})\\b"
              + "|(?<=-)[0-9a-f]{5,}\\b");

  private static final Pattern NUMBER = Pattern.compile("\\d[\\d,]*(\\.\\d+)?");

  private final Path page;
  private final String id;
  private final String language;
  private final List<String> lines;

  private DocBlock(Path page, String id, String language, List<String> lines) {
    this.page = page;
    this.id = id;
    this.language = language;
    this.lines = List.copyOf(lines);
  }

  /**
   * {@return the block marked {@code id} on {@code page}; fails when there is none}
   *
   * @param page the page, a Markdown file
   * @param id the block's id in its {@code checked by} marker
   */
  public static DocBlock of(Path page, String id) {
    List<String> text;
    try {
      text = Files.readAllLines(page);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i + 1 < text.size(); i++) {
      Matcher m = MARKER.matcher(text.get(i));
      if (m.matches() && m.group(2).equals(id) && text.get(i + 1).startsWith("```")) {
        int end = i + 2;
        while (end < text.size() && !text.get(end).startsWith("```")) {
          end++;
        }
        return new DocBlock(page, id, text.get(i + 1).substring(3), text.subList(i + 2, end));
      }
    }
    throw new AssertionError(page + " has no block marked '" + id + "'");
  }

  /** {@return the block's lines} */
  public List<String> lines() {
    return lines;
  }

  /** {@return the block's text, its lines joined with a newline} */
  public String text() {
    return String.join("\n", lines);
  }

  /** {@return the language after the opening fence, empty for none} */
  public String language() {
    return language;
  }

  /**
   * Asserts the block is {@code actual}, trailing blank lines and spaces aside.
   *
   * @param actual what the test ran
   */
  public void isExactly(String actual) {
    assertThat(strip(text()))
        .as("%s, block '%s', is what the build prints", page, id)
        .isEqualTo(strip(actual));
  }

  /**
   * Asserts every line of the block (but blank ones and {@code ...}) is a line of {@code actual}
   * once numbers, hexadecimal ids and runs of spaces are masked: the page shows a real run's
   * output, and this run printed the same lines with its own figures.
   *
   * @param actual what the test ran
   */
  public void isShapedLike(String actual) {
    Set<String> printed = new HashSet<>();
    for (String line : actual.split("\n")) {
      printed.add(mask(line));
    }
    List<String> missing = new ArrayList<>();
    for (String line : lines) {
      String masked = mask(line);
      if (!masked.isEmpty() && !masked.equals("...") && !printed.contains(masked)) {
        missing.add(line);
      }
    }
    assertThat(missing)
        .as("lines of %s, block '%s', that this run did not print:\n%s", page, id, actual)
        .isEmpty();
  }

  /**
   * {@return the block from its line {@code first} (0-based) on, say a response without its request
   * line}
   *
   * @param first the first line kept
   */
  public DocBlock from(int first) {
    return part(first, lines.size());
  }

  /**
   * {@return the block's lines {@code first} (0-based) to {@code end} (exclusive)}
   *
   * @param first the first line kept
   * @param end the line after the last one kept
   */
  public DocBlock part(int first, int end) {
    return new DocBlock(page, id, language, lines.subList(first, end));
  }

  /**
   * Asserts the block is JSON of the same shape as {@code actualJson}: the same keys at every
   * level, values of the same kind (a number, a string, ...), strings equal once masked like {@link
   * #mask}, arrays both empty or both not (their first elements alike).
   *
   * @param actualJson what the test ran, as JSON
   */
  public void isJsonShapedLike(String actualJson) {
    ObjectMapper json = new ObjectMapper();
    JsonNode shown;
    JsonNode actual;
    try {
      shown = json.readTree(text());
      actual = json.readTree(actualJson);
    } catch (IOException e) {
      throw new AssertionError(page + ", block '" + id + "', is not JSON: " + e.getMessage(), e);
    }
    List<String> differences = new ArrayList<>();
    compare("$", shown, actual, differences);
    assertThat(differences)
        .as("%s, block '%s', against what the build got:\n%s", page, id, actualJson)
        .isEmpty();
  }

  private static void compare(String path, JsonNode shown, JsonNode actual, List<String> out) {
    if (shown.getNodeType() != actual.getNodeType()) {
      out.add(path + ": the page shows " + shown.getNodeType() + ", the build got " + actual);
    } else if (shown.isObject()) {
      // Keys masked too: an agent id can be a key.
      Map<String, String> keys = new TreeMap<>();
      shown.fieldNames().forEachRemaining(k -> keys.put(mask(k), k));
      Map<String, String> got = new TreeMap<>();
      actual.fieldNames().forEachRemaining(k -> got.put(mask(k), k));
      if (!keys.keySet().equals(got.keySet())) {
        out.add(
            path + ": the page shows keys " + keys.values() + ", the build got " + got.values());
      }
      keys.forEach(
          (masked, key) -> {
            if (got.containsKey(masked)) {
              compare(path + "." + key, shown.get(key), actual.get(got.get(masked)), out);
            }
          });
    } else if (shown.isArray()) {
      if (shown.isEmpty() != actual.isEmpty()) {
        out.add(path + ": the page shows " + shown.size() + " elements, the build got " + actual);
      } else if (!shown.isEmpty()) {
        compare(path + "[0]", shown.get(0), actual.get(0), out);
      }
    } else if (shown.isTextual() && !mask(shown.asText()).equals(mask(actual.asText()))) {
      out.add(path + ": the page shows " + shown + ", the build got " + actual);
    }
  }

  /**
   * {@return the line with numbers and hexadecimal ids as {@code 9} and runs of spaces as one}
   *
   * @param line the line
   */
  public static String mask(String line) {
    // Ids and numbers mask alike: an id may be all numerals.
    String hex = HEX.matcher(line).replaceAll("9");
    return NUMBER.matcher(hex).replaceAll("9").replaceAll("\\s+", " ").strip();
  }

  private static String strip(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      out.append(line.stripTrailing()).append('\n');
    }
    return out.toString().stripTrailing();
  }
}
