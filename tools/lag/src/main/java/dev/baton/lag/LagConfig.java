/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.lag;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * What {@code baton-lag} reads and where it serves it, from the command line.
 *
 * @param natsUrl the NATS server whose JetStream consumers it reads, or null
 * @param kafka the Kafka client settings ({@code bootstrap.servers} and any security settings) for
 *     the consumer groups it reads, or null
 * @param group which consumers and groups, by name (a regular expression matched in full)
 * @param interval how often it reads the brokers
 * @param stallAfter a group behind with no progress for this long is STALLED
 * @param listen the address it listens on
 * @param port the port of {@code /metrics} and {@code /health} (0 picks one)
 */
record LagConfig(
    @Nullable String natsUrl,
    @Nullable Map<String, Object> kafka,
    Pattern group,
    Duration interval,
    Duration stallAfter,
    String listen,
    int port) {

  static final String USAGE =
      """
      baton-lag: consumer lag read from the brokers, with no agent running.

      Reads every JetStream consumer and every Kafka consumer group (or those --group keeps) once
      per interval and serves Baton's lag meters with source="broker" on /metrics, and /health.

      Usage: java -jar baton-lag.jar [--nats URL] [--kafka HOST:PORT] [options]
        --nats URL              a NATS server with JetStream (credentials in the URL are never shown)
        --kafka HOST:PORT,...   Kafka bootstrap servers
        --kafka-config FILE     Kafka client properties (security.protocol, sasl.*, ssl.*)
        --group REGEX           only consumers / groups whose name matches (default: all)
        --interval DURATION     how often to read the brokers (default 10s)
        --stall-after DURATION  behind with no progress this long is STALLED (default 60s)
        --listen ADDRESS        address to listen on (default 127.0.0.1)
        --port PORT             port of /metrics and /health (default 9465; 0 picks one)
        --version               the version, then exit
        --help                  this text
      At least one of --nats and --kafka. Durations: 500ms, 10s, 5m.
      """;

  /** Parses {@code args}; throws {@link IllegalArgumentException} saying what to change. */
  static LagConfig parse(List<String> args) {
    String nats = null;
    String bootstrap = null;
    Path kafkaConfig = null;
    Pattern group = Pattern.compile(".*");
    Duration interval = Duration.ofSeconds(10);
    Duration stallAfter = Duration.ofSeconds(60);
    String listen = "127.0.0.1";
    int port = 9465;
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      if (option.equals("--help") || option.equals("-h")) {
        throw new HelpRequested();
      }
      if (option.equals("--version")) {
        throw new VersionRequested();
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = args.get(++i);
      switch (option) {
        case "--nats" -> nats = value;
        case "--kafka" -> bootstrap = value;
        case "--kafka-config" -> kafkaConfig = Path.of(value);
        case "--group" -> group = pattern(value);
        case "--interval" -> interval = duration(option, value);
        case "--stall-after" -> stallAfter = duration(option, value);
        case "--listen" -> listen = value;
        case "--port" -> port = port(value);
        default -> throw new IllegalArgumentException("unknown option " + option + "; see --help");
      }
    }
    Map<String, Object> kafka = null;
    if (kafkaConfig != null || bootstrap != null) {
      kafka = new HashMap<>();
      if (kafkaConfig != null) {
        kafka.putAll(properties(kafkaConfig));
      }
      if (bootstrap != null) {
        kafka.put("bootstrap.servers", bootstrap);
      }
      if (!kafka.containsKey("bootstrap.servers")) {
        throw new IllegalArgumentException(
            "--kafka-config has no bootstrap.servers: add it there or give --kafka HOST:PORT");
      }
    }
    if (nats == null && kafka == null) {
      throw new IllegalArgumentException("give --nats URL, --kafka HOST:PORT or both; see --help");
    }
    return new LagConfig(nats, kafka, group, interval, stallAfter, listen, port);
  }

  /** --help was asked for. */
  static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HelpRequested() {
      super("help", null, false, false);
    }
  }

  /** --version was asked for. */
  static final class VersionRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    VersionRequested() {
      super("version", null, false, false);
    }
  }

  private static Pattern pattern(String value) {
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "--group is not a regular expression: " + e.getDescription());
    }
  }

  static Duration duration(String option, String value) {
    try {
      Duration d;
      if (value.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      } else if (value.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
      } else if (value.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
      } else {
        throw new NumberFormatException();
      }
      if (d.isNegative() || d.isZero()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " takes a positive duration such as 500ms, 10s or 5m, not '" + value + "'");
    }
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port takes 0 to 65535, not '" + value + "'");
    }
  }

  private static Map<String, String> properties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("--kafka-config " + file + " cannot be read: " + e);
    }
    Map<String, String> map = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k)));
    return map;
  }
}
