package dev.tokenbroker.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.config.ConfigLoader;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The shipped demo configuration, on free ports and with a 3 s lifetime: a token, then a rotation. */
class SandboxDemoTest {

  @Test
  void theDemoIssuesATokenOverHttpAndRotatesIt() throws IOException {
    Vertx vertx = Vertx.vertx();
    JsonObject config = Await.result(ConfigLoader.load(vertx, "conf/demo.yaml", Map.of()));
    int sandboxPort = freePort();
    config.getJsonObject("http").put("port", 0).put("instances", 1);
    config.getJsonObject("sandbox").put("port", sandboxPort).put("lifetime-seconds", 3);
    config.getJsonObject("refresh").put("min-validity-seconds", 0);
    config.getJsonObject("providers").getJsonObject("sandbox").put("base-url", "http://127.0.0.1:" + sandboxPort);

    try (BrokerNode node = BrokerNode.start(vertx, config, Clock.systemUTC())) {
      List<JsonObject> rotations = new CopyOnWriteArrayList<>();
      Await.result(vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> rotations.add(m.body())).completion());
      WebClient http = WebClient.create(vertx);

      HttpResponse<Buffer> r = Await.result(http.get(node.httpPort(), "127.0.0.1", "/v1/tokens/sandbox")
          .putHeader("Authorization", "Bearer demo-key").send());

      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().getString("access_token").startsWith("sbx-"));
      Await.until("a scheduled rotation", Duration.ofSeconds(15),
          () -> rotations.stream().anyMatch(e -> "scheduled".equals(e.getString("reason"))));

      HttpResponse<Buffer> form = Await.result(http.post(sandboxPort, "127.0.0.1", SandboxVerticle.TOKEN_PATH)
          .sendForm(MultiMap.caseInsensitiveMultiMap().add("client_id", "demo-client").add("client_secret", "demo-secret")
              .add("grant_type", "client_credentials")));
      assertEquals(400, form.statusCode(), "the sandbox, like eSignGlobal, takes multipart only");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
