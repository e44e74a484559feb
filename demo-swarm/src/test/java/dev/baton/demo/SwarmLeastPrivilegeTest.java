/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.KafkaBroker;
import dev.baton.launchers.KafkaSecurity;
import dev.baton.launchers.NatsServer;
import dev.baton.testing.Await;
import dev.baton.testing.CapturedOutput;
import dev.baton.testing.DocBlock;
import dev.baton.testing.TestCertificates;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamConfiguration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The demo under the minimal NATS account of the README's permissions section, with its stream made
 * beforehand by an administrator: every task done, and the server refused nothing.
 */
@Tag("scenario")
class SwarmLeastPrivilegeTest {

  static final String DEMO_PASSWORD = "canary-demo-pw-6a1f";

  /** The demo account docs/security.md shows ("nats-account"): the server runs with exactly it. */
  static final String DEMO_PERMISSIONS =
      DocBlock.of(Path.of("../docs/security.md"), "nats-account").text();

  @Test
  void theDemoRunsUnderItsMinimalAccount() throws Exception {
    try (NatsServer server =
        NatsServer.start(
            "authorization {\n  users = [\n    { user: admin, password: admin-pw }\n"
                + "    { user: demo, password: \""
                + DEMO_PASSWORD
                + "\", "
                + DEMO_PERMISSIONS
                + " }\n  ]\n}\n")) {
      try (Connection admin =
          Nats.connect(
              Options.builder().server(server.url()).userInfo("admin", "admin-pw").build())) {
        admin
            .jetStreamManagement()
            .addStream(
                StreamConfiguration.builder()
                    .name(NatsBackplane.STREAM)
                    .subjects(Roles.DURABLE)
                    .maxAge(Duration.ofHours(1))
                    .build());
      }
      String url = server.url().replace("nats://", "nats://demo:" + DEMO_PASSWORD + "@");

      String printed = runThreeTasks("--transport", "nats", "--nats-url", url);

      assertThat(printed).doesNotContain(DEMO_PASSWORD);
      String log = Files.readString(server.directory().resolve("server.log"));
      assertThat(log).as("the server refused nothing").doesNotContainIgnoringCase("violation");
      // The control: a refused publish does show in that log.
      try (Connection demo = Nats.connect(url)) {
        demo.publish("forbidden.subject", new byte[0]);
        demo.flush(Duration.ofSeconds(5));
      }
      Await.until(
          "the control refusal is logged",
          () -> {
            try {
              return Files.readString(server.directory().resolve("server.log"))
                  .toLowerCase(Locale.ROOT)
                  .contains("violation");
            } catch (IOException e) {
              return false;
            }
          });
    }
  }

  @Test
  void theDemoRunsUnderItsMinimalKafkaAclsOverSaslSsl() throws Exception {
    Path dir = Files.createTempDirectory("baton-demo-acl-");
    TestCertificates certificates = TestCertificates.create(dir, "canary-demo-store-pw");
    KafkaSecurity security =
        new KafkaSecurity(
            certificates.keyStore(),
            certificates.trustStore(),
            "canary-demo-store-pw",
            "canary-demo-admin-pw",
            Map.of("demo", DEMO_PASSWORD));
    try (KafkaBroker broker = KafkaBroker.start(security);
        Admin admin = broker.admin()) {
      // An administrator makes the topics and the README's ACLs for the demo's principal.
      List<NewTopic> topics = new ArrayList<>();
      for (String topic : KafkaBackplane.TOPICS) {
        topics.add(
            new NewTopic(
                topic,
                KafkaBackplane.WORK_TOPICS.contains(topic) ? KafkaBackplane.PARTITIONS : 1,
                (short) 1));
      }
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      awaitTopics("the broker knows the topics", admin);
      List<AclBinding> acls = new ArrayList<>();
      acl(acls, TOPIC, "agents.", PREFIXED, READ, WRITE);
      acl(acls, TOPIC, "baton.heartbeats", LITERAL, READ, WRITE);
      acl(acls, TOPIC, "baton.demo.spans", LITERAL, READ, WRITE);
      acl(acls, TOPIC, "baton.replies.", PREFIXED, READ, WRITE, CREATE);
      for (String group :
          List.of(
              "coordinators",
              "coordinators-done",
              "researchers",
              "coders",
              "reviewers",
              "summarizers")) {
        acl(acls, GROUP, group, LITERAL, READ);
      }
      acl(acls, GROUP, "baton-", PREFIXED, READ); // subscriptions without a group
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
      // ACLs reach the broker's authorizer through the metadata log: wait until they apply.
      try (Admin asDemo = demoAdmin(broker, security)) {
        awaitTopics("the demo's principal sees its topics", asDemo);
      }

      Properties client = new Properties();
      security.clientConfig("demo", DEMO_PASSWORD).forEach((k, v) -> client.put(k, v.toString()));
      Path properties = dir.resolve("demo-client.properties");
      try (Writer out = Files.newBufferedWriter(properties)) {
        client.store(out, null);
      }
      String captured;
      String printed;
      try (CapturedOutput output = CapturedOutput.start()) {
        printed =
            runThreeTasks(
                "--transport",
                "kafka",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--kafka-config",
                properties.toString());
        captured = output.text();
        // The control: a refused call does show in what is captured.
        try (Admin demo = demoAdmin(broker, security)) {
          Assertions.assertThatThrownBy(
                  () ->
                      demo.createTopics(List.of(new NewTopic("x.y", 1, (short) 1)))
                          .all()
                          .get(30, TimeUnit.SECONDS))
              .hasMessageContaining("Authorization");
        }
      }
      assertThat(captured + printed)
          .as("no call of the demo was refused")
          .doesNotContainIgnoringCase("AUTHORIZATION_FAILED")
          .doesNotContainIgnoringCase("AuthorizationException")
          .doesNotContain("not permitted")
          .doesNotContain(DEMO_PASSWORD, "canary-demo-store-pw");
    }
  }

  /** Runs the demo with {@code broker} options for three tasks; asserts they were done. */
  private static String runThreeTasks(String... broker) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of(broker));
    args.addAll(List.of("--port", "0", "--tasks", "3", "--rate", "5", "--failure-rate", "0"));
    int code =
        SwarmMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed).isZero();
    assertThat(printed).containsPattern("tasks done +3\n");
    return printed;
  }

  /** Waits until {@code admin}'s principal sees every topic of the demo. */
  private static void awaitTopics(String what, Admin admin) {
    Await.until(
        what,
        () -> {
          try {
            return admin
                .listTopics()
                .names()
                .get(10, TimeUnit.SECONDS)
                .containsAll(KafkaBackplane.TOPICS);
          } catch (Exception e) {
            return false;
          }
        });
  }

  private static Admin demoAdmin(KafkaBroker broker, KafkaSecurity security) {
    Map<String, Object> config = new HashMap<>(security.clientConfig("demo", DEMO_PASSWORD));
    config.put("bootstrap.servers", broker.bootstrapServers());
    return Admin.create(config);
  }

  private static final ResourceType TOPIC = ResourceType.TOPIC;
  private static final ResourceType GROUP = ResourceType.GROUP;
  private static final PatternType PREFIXED = PatternType.PREFIXED;
  private static final PatternType LITERAL = PatternType.LITERAL;
  private static final AclOperation READ = AclOperation.READ;
  private static final AclOperation WRITE = AclOperation.WRITE;
  private static final AclOperation CREATE = AclOperation.CREATE;

  private static void acl(
      List<AclBinding> acls,
      ResourceType type,
      String name,
      PatternType pattern,
      AclOperation... operations) {
    for (AclOperation operation : operations) {
      acls.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry("User:demo", "*", operation, AclPermissionType.ALLOW)));
    }
  }
}
