/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Keeps the README's examples the code the build compiles and runs. */
public final class ReadmeSnippets {

  private ReadmeSnippets() {}

  /**
   * Asserts that {@code readme} shows, verbatim, the lines of {@code source} between {@code //
   * README example: start} and {@code // README example: end} (their common indentation removed).
   *
   * @param readme the README
   * @param source the compiled source with the marked lines
   * @throws IOException when a file cannot be read
   */
  public static void assertReadmeShows(Path readme, Path source) throws IOException {
    List<String> lines = Files.readAllLines(source);
    int start = indexOf(lines, "// README example: start", source) + 1;
    int end = indexOf(lines, "// README example: end", source);
    while (start < end && lines.get(start).isBlank()) {
      start++;
    }
    while (end > start && lines.get(end - 1).isBlank()) {
      end--;
    }
    String example = String.join("\n", lines.subList(start, end)).stripIndent();
    assertThat(Files.readString(readme)).as("README shows %s", source).contains(example);
  }

  private static int indexOf(List<String> lines, String marker, Path source) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("marker '" + marker + "' not found in " + source);
  }
}
