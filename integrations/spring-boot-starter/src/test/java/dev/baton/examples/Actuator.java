/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.context.ConfigurableApplicationContext;

/** Reads a running example application's Actuator endpoints. */
final class Actuator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final int port;

  Actuator(ConfigurableApplicationContext app) {
    this.port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
  }

  /** GETs {@code path} from the application. */
  HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status code of {@code path}, or -1 when it cannot be read. */
  int code(String path) {
    try {
      return get(path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** The status of {@code component} in {@code /actuator/health} now, or what went wrong. */
  String status(String component) {
    try {
      return status(get("/actuator/health").body(), component);
    } catch (Exception e) {
      return "unreadable: " + e;
    }
  }

  /** The status of {@code component} in a health answer. */
  static String status(String health, String component) {
    try {
      return JSON.readTree(health).path("components").path(component).path("status").asText();
    } catch (Exception e) {
      return "unreadable: " + e;
    }
  }

  /** Fails unless none of {@code classNames} can be loaded: they are not on the class path. */
  static void assertAbsent(String... classNames) {
    for (String name : classNames) {
      try {
        Class.forName(name, false, Actuator.class.getClassLoader());
        throw new AssertionError(name + " is on the class path; this test must run without it");
      } catch (ClassNotFoundException expected) {
        // absent, as it must be
      }
    }
  }
}
