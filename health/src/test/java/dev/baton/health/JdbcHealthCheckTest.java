/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Against the machine's real PostgreSQL on 127.0.0.1:5432 (trust auth, database test). */
class JdbcHealthCheckTest {

  static PGSimpleDataSource dataSource(int port, String extra) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/test?user=postgres" + extra);
    dataSource.setConnectTimeout(2);
    dataSource.setLoginTimeout(2);
    return dataSource;
  }

  @Test
  void theMachinesPostgresqlIsHealthy() throws Exception {
    CheckResult result =
        JdbcHealthCheck.builder(dataSource(5432, "")).setName("postgres").build().check();

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.details().get("database").toString()).startsWith("PostgreSQL");
    assertThat(result.details()).containsEntry("url", "jdbc:postgresql://127.0.0.1:5432/test");
  }

  @Test
  void aWrongPortIsUnhealthyThroughTheManager() {
    try (HealthManager manager =
        HealthManager.builder()
            .addCheck(JdbcHealthCheck.builder(dataSource(1, "")).setName("postgres").build())
            .setInterval(Duration.ZERO)
            .build()) {
      CheckReport report = manager.refresh().checks().get("postgres");

      assertThat(report.status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(report.reason()).contains("PSQLException");
    }
  }

  @Test
  void aPasswordInTheJdbcUrlNeverAppears() {
    try (HealthManager manager =
        HealthManager.builder()
            .addCheck(
                JdbcHealthCheck.builder(dataSource(5432, "&password=hunter2-secret"))
                    .setName("postgres")
                    .build())
            .addCheck(
                JdbcHealthCheck.builder(dataSource(1, "&password=hunter2-secret"))
                    .setName("broken")
                    .build())
            .setInterval(Duration.ZERO)
            .build()) {
      HealthReport report = manager.refresh();

      assertThat(report.checks().get("postgres").status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(report.toString()).doesNotContain("hunter2");
    }
  }
}
