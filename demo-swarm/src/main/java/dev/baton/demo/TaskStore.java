package dev.baton.demo;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** Every task's record, through JDBC: H2 by default, PostgreSQL (or any driver) by URL. */
final class TaskStore {

  /** One stored task. */
  record TaskRecord(
      String id, String traceId, String status, long durationMillis, double costUsd) {}

  private final DataSource dataSource;

  TaskStore(String jdbcUrl) throws SQLException {
    this.dataSource = new UrlDataSource(jdbcUrl);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS baton_tasks ("
              + "id VARCHAR(64) PRIMARY KEY, trace_id VARCHAR(32), status VARCHAR(16), "
              + "submitted_at TIMESTAMP, finished_at TIMESTAMP, duration_ms BIGINT, cost_usd DOUBLE PRECISION)");
    }
  }

  DataSource dataSource() {
    return dataSource;
  }

  void started(String id, String traceId, Instant at) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO baton_tasks (id, trace_id, status, submitted_at) VALUES (?, ?, 'running', ?)")) {
      s.setString(1, id);
      s.setString(2, traceId);
      s.setTimestamp(3, Timestamp.from(at));
      s.executeUpdate();
    } catch (SQLException e) {
      if (!isDuplicate(e)) {
        throw e; // a redelivered submit finds its row already there
      }
    }
  }

  void finished(String id, String status, Instant at, long durationMillis, double costUsd)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE baton_tasks SET status = ?, finished_at = ?, duration_ms = ?, cost_usd = ? WHERE id = ?")) {
      s.setString(1, status);
      s.setTimestamp(2, Timestamp.from(at));
      s.setLong(3, durationMillis);
      s.setDouble(4, costUsd);
      s.setString(5, id);
      s.executeUpdate();
    }
  }

  List<TaskRecord> all() throws SQLException {
    List<TaskRecord> records = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery("SELECT id, trace_id, status, duration_ms, cost_usd FROM baton_tasks")) {
      while (rows.next()) {
        records.add(
            new TaskRecord(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getLong(4),
                rows.getDouble(5)));
      }
    }
    return records;
  }

  private static boolean isDuplicate(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.equals("23505") || state.startsWith("23"));
  }

  /** A DataSource over DriverManager: any JDBC URL, no pool (the demo's load is small). */
  static final class UrlDataSource implements DataSource {
    private final String url;

    UrlDataSource(String url) {
      this.url = url;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return DriverManager.getConnection(url, username, password);
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {
      DriverManager.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
      return DriverManager.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
