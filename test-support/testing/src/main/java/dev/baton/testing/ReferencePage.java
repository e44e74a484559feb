/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A page of docs/reference/ generated from the code: {@link #check} fails when the page and the
 * code differ; {@code -Dbaton.reference.update=true} rewrites the page for a meant change.
 */
public final class ReferencePage {

  private ReferencePage() {}

  /**
   * Asserts {@code file} is {@code generated}, or writes it under {@code baton.reference.update}.
   *
   * @param file the reference page
   * @param generated the page as the code makes it now
   * @param rerun the command that rewrites the page, for the failure message
   * @throws IOException when the page cannot be read or written
   */
  public static void check(Path file, String generated, String rerun) throws IOException {
    if (Boolean.getBoolean("baton.reference.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, generated);
      return;
    }
    assertThat(Files.exists(file) ? Files.readString(file) : "")
        .as(
            "%s against the code: if the change is meant, rewrite it (%s"
                + " -Dbaton.reference.update=true) and say what changed in CHANGELOG.md",
            file, rerun)
        .isEqualTo(generated);
  }
}
