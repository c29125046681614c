package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code cluster.min-members}: a side with fewer members than configured (what the smaller side
 * of a partition sees) serves still-valid tokens but never calls the provider to rotate.
 */
class MinMembersTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  private static final JsonObject ACME_BODY = new JsonObject().put("account", "acme");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private final List<BrokerNode> nodes = new ArrayList<>();
  private JsonObject config;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"a-1\",\"expires_in\":7200,\"refresh_token\":\"r-1\"}")));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=r-1"))
        .willReturn(okJson("{\"access_token\":\"a-2\",\"expires_in\":7200,\"refresh_token\":\"r-2\"}")));
    config = TestConfigs.broker(new JsonObject().put("rightsignature", TestConfigs.rightsignature(provider.baseUrl())));
    config.getJsonObject("cluster").put("min-members", 3);
    nodes.addAll(broker.startCluster(2, 3, i -> config));
  }

  @Test
  void tooFewMembersServeValidTokensButNeverRotateUntilTheClusterIsWhole() {
    Await.result(nodes.get(0).accounts().authorize(ACME, Secret.of("code"), null)); // an authorization needs no lease
    Await.until("node 2's copy", Duration.ofSeconds(10), () -> nodes.get(1).store().cached(ACME) != null);

    assertEquals("a-1", nodes.get(1).request(Addresses.get("rightsignature"), ACME_BODY).getString("access_token"),
        "a still-valid token is served");
    ReplyException refused = nodes.get(1).requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    assertEquals(503, refused.failureCode());
    JsonObject error = new JsonObject(refused.getMessage());
    assertEquals("provider_unavailable", error.getString("error"));
    assertTrue(error.getString("error_description").contains("cluster.min-members is 3"), error.encode());
    assertEquals(List.of("authorization_code"), grantsSent(), "no refresh was sent");

    nodes.add(broker.joinCluster(3, 3, config)); // returns once there are three members

    JsonObject rotated = nodes.get(1).request(Addresses.refresh("rightsignature"), ACME_BODY);

    assertEquals("a-2", rotated.getString("access_token"));
    assertEquals(List.of("authorization_code", "refresh_token"), grantsSent());
  }

  private List<String> grantsSent() {
    return provider.requests(PATH).stream().map(ProviderDouble::params).map(p -> p.get("grant_type")).toList();
  }
}
