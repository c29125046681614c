package dev.tokenbroker.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shipped demo configuration, on free ports and with a 3 s lifetime: a token, then a rotation. */
class SandboxDemoTest {
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  @Test
  void theDemoIssuesATokenOverHttpAndRotatesIt() {
    Vertx vertx = broker.vertx();
    int sandboxPort = TestConfigs.freePort();
    JsonObject config = TestConfigs.demo(vertx, sandboxPort);
    config.getJsonObject("sandbox").put("lifetime-seconds", 3);
    config.getJsonObject("refresh").put("min-validity-seconds", 0);

    try (BrokerNode node = broker.start(vertx, config, Clock.systemUTC())) {
      List<JsonObject> rotations = new CopyOnWriteArrayList<>();
      Await.result(vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> rotations.add(m.body())).completion());
      WebClient http = broker.webClient(vertx);

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
}
