package dev.tokenbroker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenbroker.client.example.SandboxApiVerticle;
import dev.tokenbroker.config.ConfigLoader;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example verticle against the demo's sandbox: it calls the API, survives the revocation with one retry. */
class ClientExampleTest {

  @Test
  @SuppressWarnings("try") // the broker node only has to run (and close) around the example
  void exampleVerticleKeepsCallingTheSandboxApiAcrossARevokedToken() throws IOException {
    Vertx vertx = Vertx.vertx();
    JsonObject config = Await.result(ConfigLoader.load(vertx, "conf/demo.yaml", Map.of()));
    int sandboxPort = freePort();
    config.getJsonObject("http").put("port", 0).put("instances", 1);
    config.getJsonObject("sandbox").put("port", sandboxPort);
    config.getJsonObject("providers").getJsonObject("sandbox").put("base-url", "http://127.0.0.1:" + sandboxPort);

    try (BrokerNode node = BrokerNode.start(vertx, config, Clock.systemUTC())) {
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
