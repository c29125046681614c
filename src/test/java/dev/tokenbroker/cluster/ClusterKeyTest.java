package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.BrokerVerticle;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TOKEN_BROKER_CLUSTER_KEY: a node without it, or with another one, never serves; the cluster goes on. */
class ClusterKeyTest {
  private static final String OTHER_KEY = "b3RoZXItY2x1c3Rlci1rZXktMDEyMzQ1Njc4OWFiY2Q=";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private JsonObject config;
  private List<BrokerNode> nodes;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("t-1", 86398))));
    config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
    nodes = broker.startCluster(2, i -> config);
    nodes.get(0).request(Addresses.get("esignglobal"), null);
  }

  private Throwable deployOnANewMember(JsonObject nodeConfig) {
    Vertx vertx = broker.joinCluster(3);
    return Await.failure(vertx.deployVerticle(new BrokerVerticle(Clock.systemUTC(), new Random(1)),
        new DeploymentOptions().setConfig(nodeConfig)));
  }

  @Test
  void aNodeWithAnotherKeyStopsBeforeServingNamingTheVariableAndTheClusterGoesOn() {
    JsonObject wrong = config.copy();
    wrong.getJsonObject("cluster").put("encryption-key", OTHER_KEY);

    Throwable failure = deployOnANewMember(wrong);

    assertTrue(failure.getMessage().startsWith("TOKEN_BROKER_CLUSTER_KEY does not match the running cluster's key"),
        failure.getMessage());
    assertEquals("t-1", nodes.get(1).request(Addresses.get("esignglobal"), null).getString("access_token"));
    assertEquals(1, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));
  }

  @Test
  void aNodeWithoutTheKeyRefusesToStartNamingTheVariable() {
    JsonObject missing = config.copy();
    missing.getJsonObject("cluster").remove("encryption-key");

    Throwable failure = deployOnANewMember(missing);

    assertTrue(failure.getMessage().startsWith("TOKEN_BROKER_CLUSTER_KEY: is required with -cluster"), failure.getMessage());
  }

  @Test
  void aNodeThatHasTheClusterKeyAsAnOldKeyJoinsAndReadsTheTokens() {
    JsonObject rotating = config.copy();
    rotating.getJsonObject("cluster").put("encryption-key", OTHER_KEY).put("encryption-old-keys", TestConfigs.CLUSTER_KEY);
    BrokerNode third = broker.joinCluster(3, rotating);

    Await.until("the token in the new node's copy", Duration.ofSeconds(10),
        () -> third.store().cached(new dev.tokenbroker.token.TokenKey("esignglobal", "default")) != null);
    assertEquals("t-1", third.store().cached(new dev.tokenbroker.token.TokenKey("esignglobal", "default"))
        .accessToken().reveal());
  }
}
