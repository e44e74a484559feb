/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Every task's record, and the reviewer's fan-in, through JDBC: H2 by default (one process),
 * PostgreSQL (or any server) by URL when the roles run in several processes. Every write is safe to
 * repeat (a redelivered message) and to race with another replica.
 */
final class TaskStore {

  /** One stored task. */
  record TaskRecord(
      String id, String traceId, String status, long durationMillis, double costUsd) {}

  /** A part of a task handed in for review, and the span context it arrived in. */
  record Part(String name, String result, String arrivedIn) {}

  /** The name under which a task's review is marked done in the fan-in table. */
  static final String REVIEWED = "reviewed";

  private final DataSource dataSource;

  TaskStore(String jdbcUrl) throws SQLException, InterruptedException {
    this.dataSource = new UrlDataSource(jdbcUrl);
    for (int attempt = 1; ; attempt++) {
      try {
        createTables();
        return;
      } catch (SQLException e) {
        // Replicas starting together race in CREATE TABLE IF NOT EXISTS (PostgreSQL then fails
        // one of them on its catalog's unique index); the next try finds the table.
        if (attempt == 3 || !isDuplicate(e) && !"42P07".equals(e.getSQLState())) {
          throw e;
        }
        Thread.sleep(100L * attempt);
      }
    }
  }

  private void createTables() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS baton_tasks ("
              + "id VARCHAR(64) PRIMARY KEY, trace_id VARCHAR(32), status VARCHAR(16), "
              + "submitted_at TIMESTAMP, finished_at TIMESTAMP, duration_ms BIGINT, cost_usd DOUBLE PRECISION)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS baton_task_parts ("
              + "task_id VARCHAR(64), part VARCHAR(16), result VARCHAR(100000), "
              + "arrived_in VARCHAR(64), PRIMARY KEY (task_id, part))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS baton_agent_starts ("
              + "agent_id VARCHAR(200) PRIMARY KEY, starts BIGINT)");
    }
  }

  /**
   * Counts one more start of {@code agentId} and returns how many there have been: the heartbeats'
   * start count, which survives restarts of the agent (and of whatever monitors it).
   */
  long recordStart(String agentId) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        try (PreparedStatement update =
            c.prepareStatement(
                "UPDATE baton_agent_starts SET starts = starts + 1 WHERE agent_id = ?")) {
          update.setString(1, agentId);
          if (update.executeUpdate() == 0) {
            try (PreparedStatement insert =
                c.prepareStatement(
                    "INSERT INTO baton_agent_starts (agent_id, starts) VALUES (?, 1)")) {
              insert.setString(1, agentId);
              insert.executeUpdate();
            }
          }
        }
        try (PreparedStatement select =
            c.prepareStatement("SELECT starts FROM baton_agent_starts WHERE agent_id = ?")) {
          select.setString(1, agentId);
          try (ResultSet rows = select.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 1;
          }
        }
      } catch (SQLException e) {
        if (attempt == 3 || !isDuplicate(e)) {
          throw e; // a duplicate: another replica of this id inserted first; count again
        }
      }
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

  /**
   * Closes a running task: {@code status}, the time from its submission to {@code at}, its cost.
   * Returns the closed record, or {@code null} when the task was not running (closed before, by
   * this or another coordinator, or never recorded): a task is closed exactly once.
   */
  @Nullable TaskRecord finished(String id, String status, Instant at, double costUsd)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Instant submitted;
      String traceId;
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT submitted_at, trace_id FROM baton_tasks WHERE id = ? AND status = 'running'")) {
        s.setString(1, id);
        try (ResultSet row = s.executeQuery()) {
          if (!row.next()) {
            return null;
          }
          submitted = row.getTimestamp(1).toInstant();
          traceId = row.getString(2);
        }
      }
      long millis = Math.max(0, Duration.between(submitted, at).toMillis());
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE baton_tasks SET status = ?, finished_at = ?, duration_ms = ?, cost_usd = ?"
                  + " WHERE id = ? AND status = 'running'")) {
        s.setString(1, status);
        s.setTimestamp(2, Timestamp.from(at));
        s.setLong(3, millis);
        s.setDouble(4, costUsd);
        s.setString(5, id);
        return s.executeUpdate() == 1
            ? new TaskRecord(id, traceId == null ? "" : traceId, status, millis, costUsd)
            : null; // another coordinator closed it in between
      }
    }
  }

  /** The tasks among {@code ids} that are no longer running, by id. */
  Map<String, TaskRecord> closed(Collection<String> ids) throws SQLException {
    Map<String, TaskRecord> closed = new HashMap<>();
    List<String> all = new ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += 100) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + 100));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      try (Connection c = dataSource.getConnection();
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT id, trace_id, status, duration_ms, cost_usd FROM baton_tasks"
                      + " WHERE status <> 'running' AND id IN ("
                      + marks
                      + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          s.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rows = s.executeQuery()) {
          while (rows.next()) {
            TaskRecord record = record(rows);
            closed.put(record.id(), record);
          }
        }
      }
    }
    return closed;
  }

  /**
   * Hands in one part of a task for review and returns every part the task has now (this one
   * included, and {@link #REVIEWED} once its review was handed on). Replicas handing in parts of
   * one task at once take turns on the task's row, so exactly one of them sees both parts; a part
   * handed in again (a redelivery) is kept once.
   */
  List<Part> handIn(String taskId, String part, String result, String arrivedIn)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!lockTask(c, taskId)) {
        started(taskId, "", Instant.now()); // its plan was recorded elsewhere, or not at all
        if (!lockTask(c, taskId)) {
          throw new SQLException("task " + taskId + " could not be recorded");
        }
      }
      try {
        List<Part> parts = parts(c, taskId);
        if (parts.stream().noneMatch(p -> p.name().equals(part) || p.name().equals(REVIEWED))) {
          insertPart(c, taskId, new Part(part, result, arrivedIn));
          parts.add(new Part(part, result, arrivedIn));
        }
        c.commit();
        return parts;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Marks a task's review as handed on and lets go of its parts. */
  void reviewed(String taskId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!lockTask(c, taskId)) {
        return;
      }
      try {
        if (parts(c, taskId).stream().noneMatch(p -> p.name().equals(REVIEWED))) {
          insertPart(c, taskId, new Part(REVIEWED, "", ""));
        }
        try (PreparedStatement s =
            c.prepareStatement("DELETE FROM baton_task_parts WHERE task_id = ? AND part <> ?")) {
          s.setString(1, taskId);
          s.setString(2, REVIEWED);
          s.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Starts a transaction holding the task's row; false (and no transaction) when it has none. */
  private static boolean lockTask(Connection c, String taskId) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement s =
        c.prepareStatement("SELECT id FROM baton_tasks WHERE id = ? FOR UPDATE")) {
      s.setString(1, taskId);
      try (ResultSet row = s.executeQuery()) {
        if (row.next()) {
          return true;
        }
      }
    }
    c.rollback();
    c.setAutoCommit(true);
    return false;
  }

  private static List<Part> parts(Connection c, String taskId) throws SQLException {
    List<Part> parts = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT part, result, arrived_in FROM baton_task_parts WHERE task_id = ?")) {
      s.setString(1, taskId);
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          parts.add(new Part(rows.getString(1), rows.getString(2), rows.getString(3)));
        }
      }
    }
    return parts;
  }

  private static void insertPart(Connection c, String taskId, Part part) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO baton_task_parts (task_id, part, result, arrived_in) VALUES (?, ?, ?, ?)")) {
      s.setString(1, taskId);
      s.setString(2, part.name());
      s.setString(3, part.result());
      s.setString(4, part.arrivedIn());
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
        records.add(record(rows));
      }
    }
    return records;
  }

  private static TaskRecord record(ResultSet row) throws SQLException {
    String traceId = row.getString(2);
    return new TaskRecord(
        row.getString(1),
        traceId == null ? "" : traceId,
        row.getString(3),
        row.getLong(4),
        row.getDouble(5));
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
