/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Not API: Baton's version, written into the jar by the build. */
public final class BatonVersion {

  private static final String VERSION = read();

  private BatonVersion() {}

  /** The version the build stamped ({@code 0.1.0-SNAPSHOT}, say), or {@code unknown}. */
  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = BatonVersion.class.getResourceAsStream("baton-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "");
      return version.isBlank() || version.startsWith("${") ? "unknown" : version.strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
