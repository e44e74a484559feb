package dev.baton.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.launchers.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamConfiguration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo under the minimal NATS account of the README's permissions section, with its stream made
 * beforehand by an administrator: every task done, and the server refused nothing.
 */
class SwarmLeastPrivilegeTest {

  static final String DEMO_PASSWORD = "canary-demo-pw-6a1f";

  /** The README's demo account. */
  static final String DEMO_PERMISSIONS =
      """
      permissions: {
        publish: { allow: ["agents.>", "baton.heartbeats", "baton.demo.spans", "$JS.API.INFO",
                           "$JS.API.STREAM.INFO.BATON_DEMO",
                           "$JS.API.CONSUMER.CREATE.BATON_DEMO.>",
                           "$JS.API.CONSUMER.DURABLE.CREATE.BATON_DEMO.>",
                           "$JS.API.CONSUMER.INFO.BATON_DEMO.>",
                           "$JS.API.CONSUMER.MSG.NEXT.BATON_DEMO.>",
                           "$JS.API.STREAM.MSG.GET.BATON_DEMO", "$JS.API.DIRECT.GET.BATON_DEMO.>",
                           "$JS.ACK.BATON_DEMO.>"] }
        subscribe: { allow: ["agents.>", "baton.heartbeats", "baton.demo.spans", "_INBOX.>"] }
        allow_responses: true
      }""";

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
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      String url = server.url().replace("nats://", "nats://demo:" + DEMO_PASSWORD + "@");

      int code =
          SwarmMain.run(
              List.of(
                  "--transport",
                  "nats",
                  "--nats-url",
                  url,
                  "--port",
                  "0",
                  "--tasks",
                  "3",
                  "--rate",
                  "5",
                  "--failure-rate",
                  "0"),
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));

      String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
      assertThat(code).as(printed).isZero();
      assertThat(printed).containsPattern("tasks done +3\\n").doesNotContain(DEMO_PASSWORD);
      String log = Files.readString(server.directory().resolve("server.log"));
      assertThat(log).as("the server refused nothing").doesNotContainIgnoringCase("violation");
      // The control: a refused publish does show in that log.
      try (Connection demo = Nats.connect(url)) {
        demo.publish("forbidden.subject", new byte[0]);
        demo.flush(Duration.ofSeconds(5));
      }
      dev.baton.testing.Await.until(
          "the control refusal is logged",
          () -> {
            try {
              return Files.readString(server.directory().resolve("server.log"))
                  .toLowerCase(java.util.Locale.ROOT)
                  .contains("violation");
            } catch (java.io.IOException e) {
              return false;
            }
          });
    }
  }
}
