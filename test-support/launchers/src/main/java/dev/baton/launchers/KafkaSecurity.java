/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.launchers;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a test broker is locked down: a {@code SASL_SSL} listener (TLS with the given PKCS#12 key
 * store, users with PLAIN passwords) and the standard authorizer, under which a principal may do
 * only what an ACL allows ({@code allow.everyone.if.no.acl.found=false}). {@code admin} is a super
 * user, for creating topics and ACLs. {@link #toString()} shows no password.
 *
 * @param keyStore the broker's key and certificate chain (PKCS#12)
 * @param trustStore the authority clients trust (PKCS#12)
 * @param storePassword both stores' password
 * @param adminPassword the super user {@code admin}'s password
 * @param users other users and their passwords
 */
public record KafkaSecurity(
    Path keyStore,
    Path trustStore,
    String storePassword,
    String adminPassword,
    Map<String, String> users) {

  /**
   * Checks the arguments; user names must be plain words.
   *
   * @param keyStore the broker's key and certificate chain (PKCS#12)
   * @param trustStore the authority clients trust (PKCS#12)
   * @param storePassword both stores' password
   * @param adminPassword the super user {@code admin}'s password
   * @param users other users and their passwords
   */
  public KafkaSecurity {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(storePassword, "storePassword");
    Objects.requireNonNull(adminPassword, "adminPassword");
    users = Map.copyOf(users);
    for (String user : users.keySet()) {
      if (!user.matches("[A-Za-z0-9_-]+") || user.equals("admin")) {
        throw new IllegalArgumentException("user names are letters, digits, '_' or '-': " + user);
      }
    }
  }

  /**
   * {@return a client's settings for {@code user} with {@code password} ({@code admin} included)}
   *
   * @param user a user the broker knows
   * @param password that user's password
   */
  public Map<String, Object> clientConfig(String user, String password) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", "PLAIN");
    config.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
    config.put("ssl.truststore.location", trustStore.toString());
    config.put("ssl.truststore.password", storePassword);
    config.put("ssl.truststore.type", "PKCS12");
    return config;
  }

  /** {@return the super user's client settings} */
  public Map<String, Object> adminConfig() {
    return clientConfig("admin", adminPassword);
  }

  /** The broker's properties for a SASL_SSL listener named {@code SASL_SSL}. */
  String brokerProperties() {
    StringBuilder jaas =
        new StringBuilder(
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\""
                    + " password=\"")
            .append(adminPassword)
            .append("\" user_admin=\"")
            .append(adminPassword)
            .append('"');
    users.forEach(
        (user, password) ->
            jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
    jaas.append(';');
    return String.join(
        "\n",
        "sasl.enabled.mechanisms=PLAIN",
        "sasl.mechanism.inter.broker.protocol=PLAIN",
        "listener.name.sasl_ssl.plain.sasl.jaas.config=" + jaas,
        "ssl.keystore.location=" + keyStore,
        "ssl.keystore.password=" + storePassword,
        "ssl.key.password=" + storePassword,
        "ssl.keystore.type=PKCS12",
        "ssl.truststore.location=" + trustStore,
        "ssl.truststore.password=" + storePassword,
        "ssl.truststore.type=PKCS12",
        "ssl.client.auth=none",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        // The controller listener is plain and local: its principal is ANONYMOUS.
        "super.users=User:admin;User:ANONYMOUS",
        "allow.everyone.if.no.acl.found=false",
        "");
  }

  @Override
  public String toString() {
    return "KafkaSecurity[SASL_SSL, PLAIN, users=" + users.keySet() + "]";
  }
}
