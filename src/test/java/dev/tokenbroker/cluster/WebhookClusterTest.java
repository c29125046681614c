package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.support.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clustered nodes with the same webhook: every event reaches the receiver once, although both
 * nodes see every event on the bus (only the node that produced it delivers it).
 */
class WebhookClusterTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  private static final String SECRET = "whsec-cluster-secret";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private WebhookReceiver receiver;
  private BrokerNode a;
  private BrokerNode b;

  @BeforeEach
  void start() {
    receiver = broker.resource(new WebhookReceiver(Map.of("/hook", SECRET)));
    List<BrokerNode> nodes = broker.startCluster(2, i -> config(i == 0 ? "client-a" : "client-b"));
    a = nodes.get(0);
    b = nodes.get(1);
  }

  private JsonObject config(String clientId) {
    JsonObject config = TestConfigs.broker(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()).put("client-id", clientId).put("timeout-seconds", 10)));
    config.getJsonObject("refresh").put("min-validity-seconds", 0);
    config.put("webhooks", new JsonArray().add(new JsonObject().put("url", receiver.url("/hook")).put("secret-env", "HOOK_SECRET")
        .put("secret-from-env", SECRET).put("events", new JsonArray().add("token.failed").add("token.recovered"))));
    return config;
  }

  @Test
  void eachFailureAndTheRecoveryIsDeliveredOnceAcrossTheCluster() {
    List<JsonObject> failed = new CopyOnWriteArrayList<>();
    List<JsonObject> recovered = new CopyOnWriteArrayList<>();
    Await.result(a.vertx.eventBus().<JsonObject>consumer(Addresses.FAILED, m -> failed.add(m.body())).completion());
    Await.result(a.vertx.eventBus().<JsonObject>consumer(Addresses.RECOVERED, m -> recovered.add(m.body())).completion());
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(okJson(TestConfigs.tokenJson("short", 3))));
    a.request(Addresses.get("esignglobal"), null);
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(500)));

    Await.until("two failed scheduled renewals", Duration.ofSeconds(30), () -> failed.size() >= 2);
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(okJson(TestConfigs.tokenJson("healed", 3600))));
    Await.until("the recovery", Duration.ofSeconds(30), () -> recovered.size() == 1);
    Await.until("every delivery done", Duration.ofSeconds(30), () -> a.broker.webhooks().pending() == 0
        && b.broker.webhooks().pending() == 0 && receiver.received.size() == failed.size() + 1);

    List<WebhookReceiver.Received> got = receiver.received;
    assertEquals(failed.size(), got.stream().filter(r -> "token.failed".equals(r.event())).count(),
        "one delivery per token.failed published in the cluster (" + failed.size() + "), not one per node");
    assertEquals(1, got.stream().filter(r -> "token.recovered".equals(r.event())).count());
    assertEquals(got.size(), got.stream().map(r -> r.json().getString("id")).distinct().count(), "no delivery twice");
    assertTrue(got.stream().allMatch(WebhookReceiver.Received::verified));
    assertEquals(failed.size(), got.stream().filter(r -> "token.recovered".equals(r.event())).findFirst().orElseThrow()
        .json().getInteger("failures"));
  }
}
