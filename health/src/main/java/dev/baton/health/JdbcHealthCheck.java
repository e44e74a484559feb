/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import dev.baton.transport.internal.Redaction;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A database check for any JDBC {@link DataSource}: borrow a connection, {@code isValid} with a
 * timeout, then {@code SELECT 1} with a query timeout. Details name the product and the URL with
 * any credentials redacted. Thread-safe.
 */
public final class JdbcHealthCheck implements HealthCheck {

  private final String name;
  private final DataSource dataSource;
  private final int timeoutSeconds;
  private volatile List<String> dependencies = List.of();

  private JdbcHealthCheck(Builder builder) {
    this.name = builder.name;
    this.dataSource = builder.dataSource;
    this.timeoutSeconds = (int) Math.max(1, builder.timeout.toSeconds());
  }

  /**
   * {@return a builder for a check of {@code dataSource}, named {@code database}, with a 2 s
   * timeout}
   *
   * @param dataSource the database to check
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /** Configures a {@link JdbcHealthCheck}. */
  public static final class Builder {
    private final DataSource dataSource;
    private String name = "database";
    private Duration timeout = Duration.ofSeconds(2);

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * The check's name on {@code /health} (default {@code database}).
     *
     * @param name the check's name
     * @return this builder
     */
    public Builder setName(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Bounds validation and the query, in whole seconds, at least 1 (default 2 s).
     *
     * @param timeout the longest validation and the query may take
     * @return this builder
     */
    public Builder setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the check.
     *
     * @return the check
     */
    public JdbcHealthCheck build() {
      return new JdbcHealthCheck(this);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> dependencies() {
    return dependencies;
  }

  /** The URL without its parameters (drivers list every property there, passwords included). */
  static String withoutParameters(String url) {
    int query = url.indexOf('?');
    int semicolon = url.indexOf(';');
    int cut = query < 0 ? semicolon : semicolon < 0 ? query : Math.min(query, semicolon);
    return cut < 0 ? url : url.substring(0, cut);
  }

  @Override
  public CheckResult check() throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      String url = Redaction.redact(withoutParameters(String.valueOf(meta.getURL())));
      dependencies = List.of(url);
      CheckResult result =
          CheckResult.healthy()
              .withDetail(
                  "database",
                  meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion())
              .withDetail("url", url);
      if (!connection.isValid(timeoutSeconds)) {
        return new CheckResult(
            HealthStatus.UNHEALTHY, "the connection is not valid", result.details());
      }
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(timeoutSeconds);
        try (ResultSet rows = statement.executeQuery("SELECT 1")) {
          if (!rows.next() || rows.getInt(1) != 1) {
            return new CheckResult(
                HealthStatus.UNHEALTHY, "SELECT 1 did not return 1", result.details());
          }
        }
      }
      return result;
    }
  }
}
