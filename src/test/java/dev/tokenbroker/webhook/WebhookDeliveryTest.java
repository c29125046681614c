package dev.tokenbroker.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.support.WebhookReceiver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node's webhooks: account and token events from real requests, signed, verified by the test's own receiver. */
class WebhookDeliveryTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final String SECRET = "whsec-lifecycle-secret-42";
  private static final String OTHER_SECRET = "whsec-other-secret-43";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private WebhookReceiver receiver;
  private BrokerNode node;
  private Http http;

  @BeforeEach
  void start() {
    receiver = broker.resource(new WebhookReceiver(Map.of("/ops", SECRET, "/recoveries", OTHER_SECRET)));
    JsonObject config = TestConfigs.broker(new JsonObject().put("rightsignature",
        TestConfigs.rightsignature(provider.baseUrl()).put("timeout-seconds", 10)));
    config.put("webhooks", new JsonArray()
        .add(new JsonObject().put("url", receiver.url("/ops")).put("secret-env", "OPS_HOOK_SECRET").put("secret-from-env", SECRET)
            .put("events", new JsonArray().add("account.authorized").add("account.disconnected").add("token.failed")))
        .add(new JsonObject().put("url", receiver.url("/recoveries")).put("secret-env", "REC_HOOK_SECRET")
            .put("secret-from-env", OTHER_SECRET).put("events", new JsonArray().add("token.recovered"))));
    node = broker.start(config);
    http = broker.http(node);
  }

  private void importAlice() {
    var put = broker.webClient(node.vertx).request(HttpMethod.PUT, node.httpPort(), "127.0.0.1", "/v1/tokens/rightsignature?account=alice")
        .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY)
        .sendBuffer(Buffer.buffer(new JsonObject().put("refresh_token", "refresh-SECRET-1").put("access_token", "access-SECRET-1").encode()));
    assertEquals(200, Await.result(put).statusCode());
  }

  @Test
  void accountAndFailureEventsArriveSignedWithTheSecretOfTheirWebhookAndNoToken() {
    importAlice();
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
        .withBody("{\"error\":\"invalid_grant\"}")));
    assertEquals(401, http.post("/v1/tokens/rightsignature/refresh?account=alice").statusCode());
    assertEquals(200, http.send(HttpMethod.DELETE, "/v1/tokens/rightsignature?account=alice", TestConfigs.API_KEY).statusCode());

    Await.until("three deliveries", Duration.ofSeconds(15), () -> receiver.at("/ops").size() == 3 && node.broker.webhooks().pending() == 0);
    List<WebhookReceiver.Received> got = receiver.at("/ops");
    assertEquals(java.util.Set.of("account.authorized", "token.failed", "account.disconnected"),
        got.stream().map(r -> r.json().getString("event")).collect(java.util.stream.Collectors.toSet()));
    for (WebhookReceiver.Received r : got) {
      assertTrue(r.verified(), "signature verifies: " + r.signature());
      assertEquals(r.event(), r.json().getString("event"));
      assertEquals("alice", r.json().getString("account"));
      assertFalse(r.body().contains("SECRET") || r.body().contains(TestConfigs.CLIENT_SECRET) || r.body().contains("whsec"),
          "no token or secret in " + r.body());
    }
    assertEquals(true, event(got, "token.failed").getBoolean("authorization_required"));
    assertEquals(false, event(got, "account.disconnected").getBoolean("revoked"));
    assertEquals(1L, event(got, "account.authorized").getLong("version"));
    assertFalse(WebhookReceiverCheck.verifies(OTHER_SECRET, got.get(0)), "signed with its own webhook's secret only");
    assertTrue(receiver.at("/recoveries").isEmpty(), "a webhook gets only the events it lists");
  }

  private static JsonObject event(List<WebhookReceiver.Received> got, String name) {
    return got.stream().map(WebhookReceiver.Received::json).filter(j -> name.equals(j.getString("event"))).findFirst().orElseThrow();
  }

  /** The same receiver-side check with another secret. */
  private static final class WebhookReceiverCheck {
    static boolean verifies(String secret, WebhookReceiver.Received r) {
      return WebhookSignature.header(dev.tokenbroker.secret.Secret.of(secret),
          Long.parseLong(r.signature().substring(2, r.signature().indexOf(','))), r.body()).equals(r.signature());
    }
  }
}
