package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The account list on a node that is not rotating the account: {@code refreshing} comes from the cluster's lease table. */
class AccountListClusterTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode a;
  private BrokerNode b;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(okJson(TestConfigs.tokenJson("first", 3600))));
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal",
        TestConfigs.esignglobal(provider.baseUrl()).put("timeout-seconds", 10)));
    List<BrokerNode> nodes = broker.startCluster(2, i -> config.copy());
    a = nodes.get(0);
    b = nodes.get(1);
  }

  @Test
  void anotherNodesRotationInFlightIsListedAsRefreshing() {
    Http onA = broker.http(a);
    Http onB = broker.http(b);
    assertEquals(200, onA.get("/v1/tokens/esignglobal").statusCode());
    Await.until("node b has the token", Duration.ofSeconds(10), () -> b.store().cached(new TokenKey("esignglobal", "default")) != null);
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withFixedDelay(4000).withBody(TestConfigs.tokenJson("second", 3600))));
    var forced = broker.webClient(a.vertx).post(a.httpPort(), "127.0.0.1", "/v1/tokens/esignglobal/refresh")
        .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY).send();
    Await.until("the provider is called", Duration.ofSeconds(10), () -> provider.calls(PATH) == 2);

    JsonArray listed = onB.get("/v1/tokens").bodyAsJsonArray();

    assertEquals("refreshing", listed.getJsonObject(0).getString("state"), "node b is not rotating it; the lease says a node is");
    assertEquals(200, Await.result(forced).statusCode());
    Await.until("node b sees the new version", Duration.ofSeconds(10),
        () -> onB.get("/v1/tokens").bodyAsJsonArray().getJsonObject(0).getLong("version") == 2L);
    assertEquals("valid", onB.get("/v1/tokens").bodyAsJsonArray().getJsonObject(0).getString("state"));
  }
}
