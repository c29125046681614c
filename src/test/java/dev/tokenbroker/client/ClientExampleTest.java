package dev.tokenbroker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenbroker.client.example.SandboxApiVerticle;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example verticle against the demo's sandbox: it calls the API, survives the revocation with one retry. */
class ClientExampleTest {
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();

  @Test
  @SuppressWarnings("try") // the broker node only has to run (and close) around the example
  void exampleVerticleKeepsCallingTheSandboxApiAcrossARevokedToken() {
    Vertx vertx = broker.vertx();
    int sandboxPort = TestConfigs.freePort();
    JsonObject config = TestConfigs.demo(vertx, sandboxPort);

    try (BrokerNode node = broker.start(vertx, config, Clock.systemUTC())) {
      BusRequests bus = BusRequests.record(vertx);
      SandboxApiVerticle example = new SandboxApiVerticle();
      Await.result(vertx.deployVerticle(example, new DeploymentOptions()
          .setConfig(new JsonObject().put("api-port", sandboxPort).put("interval-ms", 100))));

      // calls go out every 100 ms without waiting for each other, so some are answered before the revocation lands
      Await.until("the revoked v1 to be reported", Duration.ofSeconds(20), () -> !bus.rejectedVersions().isEmpty());
      int answeredBefore = example.answered();
      Await.until("two answered calls after the revocation", Duration.ofSeconds(20), () -> example.answered() >= answeredBefore + 2);
      assertEquals(List.of(1L), bus.rejectedVersions(), "the revoked v1 is reported once");
      long getsSoFar = bus.gets();
      int answeredSoFar = example.answered();
      Await.until("three more answered calls", Duration.ofSeconds(20), () -> example.answered() >= answeredSoFar + 3);
      assertEquals(getsSoFar, bus.gets(), "calls are served from the client's cache: no token.get while its token is fresh");
    }
  }
}
