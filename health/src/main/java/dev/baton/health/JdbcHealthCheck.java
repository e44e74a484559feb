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

  /** A check named {@code name} with a 2 s validation timeout. */
  public JdbcHealthCheck(String name, DataSource dataSource) {
    this(name, dataSource, Duration.ofSeconds(2));
  }

  /**
   * A check named {@code name}; {@code timeout} bounds validation and the query (whole seconds).
   */
  public JdbcHealthCheck(String name, DataSource dataSource, Duration timeout) {
    this.name = Objects.requireNonNull(name, "name");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.timeoutSeconds = (int) Math.max(1, Objects.requireNonNull(timeout, "timeout").toSeconds());
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
