/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void credentialsInUrlsAreRedacted() {
    assertThat(Redaction.redact("connect failed: nats://alice:s3cret@10.0.0.1:4222"))
        .isEqualTo("connect failed: nats://***@10.0.0.1:4222")
        .doesNotContain("s3cret")
        .doesNotContain("alice");
    assertThat(Redaction.redact("tls://token123@host:4222")).isEqualTo("tls://***@host:4222");
  }

  @Test
  void keyValueSecretsAreRedacted() {
    String redacted =
        Redaction.redact(
            "password=hunter2, token: abc.def, sasl.jaas.config=org.Plain required; user=bob");
    assertThat(redacted).doesNotContain("hunter2").doesNotContain("abc.def").contains("user=bob");
  }

  @Test
  void describeKeepsTheTypeAndRedactsTheMessage() {
    assertThat(Redaction.describe(new IllegalStateException("nats://u:p@h:1 refused")))
        .isEqualTo("java.lang.IllegalStateException: nats://***@h:1 refused");
  }
}
