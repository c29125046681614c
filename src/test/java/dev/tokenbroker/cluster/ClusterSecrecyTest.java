package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A plain Hazelcast member that knows the cluster's name and address joins and reads every map:
 * it finds no access token, refresh token, PKCE verifier or error text, only sealed values.
 */
class ClusterSecrecyTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final String ACCESS = "access-SECRET-4711";
  private static final String REFRESH = "refresh-SECRET-4711";
  private static final String ERROR_TEXT = "upstream-meltdown-7";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private List<BrokerNode> nodes;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"" + ACCESS + "\",\"expires_in\":7200,\"refresh_token\":\"" + REFRESH + "\"}")));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody("{\"error\":\"invalid_request\",\"error_description\":\"" + ERROR_TEXT + "\"}")));
    JsonObject rs = TestConfigs.rightsignature(provider.baseUrl()).put("pkce", true);
    JsonObject config = TestConfigs.broker(new JsonObject().put("rightsignature", rs));
    nodes = broker.startCluster(2, i -> config);
  }

  @Test
  void aMemberWithoutTheClusterKeyReadsNoSecretFromAnyMap() {
    TokenKey acme = new TokenKey("rightsignature", "acme");
    Await.result(nodes.get(0).accounts().authorize(acme, Secret.of("code"), null));
    assertEquals(502, nodes.get(1).requestFailure(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"))
        .failureCode(), "a failed refresh leaves a backoff record with the provider's error text");
    String authorizeUrl = broker.http(nodes.get(0)).post("/v1/oauth/rightsignature/authorize?account=beta").bodyAsJsonObject()
        .getString("authorize_url");
    assertTrue(authorizeUrl.contains("code_challenge="), "a PKCE verifier is pending");

    HazelcastInstance intruder = Hazelcast.newHazelcastInstance(ClusterSupport.hazelcastConfig(broker.clusterName(), 3));
    broker.closeBeforeNodes("the intruding member", () -> intruder.getLifecycleService().terminate());
    Await.until("the intruder joined", Duration.ofSeconds(30), () -> intruder.getCluster().getMembers().size() == 3);

    List<String> values = new ArrayList<>();
    for (String name : List.of(HazelcastTokenStore.MAP_NAME, HazelcastRotationLeases.MAP_NAME, HazelcastStateStore.MAP_NAME,
        ClusterKeyCheck.MAP_NAME)) {
      IMap<Object, Object> map = intruder.getMap(name);
      for (Map.Entry<Object, Object> e : map.entrySet()) {
        values.add(name + " " + e.getKey() + " = " + e.getValue());
      }
    }
    System.out.println("[secrecy] an intruding member read " + values.size() + " entries from the broker's maps");
    assertTrue(values.stream().anyMatch(v -> v.startsWith(HazelcastTokenStore.MAP_NAME)), "the token is there: " + values);
    assertTrue(values.stream().anyMatch(v -> v.startsWith(HazelcastRotationLeases.MAP_NAME)), "the backoff is there");
    assertTrue(values.stream().anyMatch(v -> v.startsWith(HazelcastStateStore.MAP_NAME)), "the pending state is there");
    for (String v : values) {
      for (String secret : List.of(ACCESS, REFRESH, ERROR_TEXT, "verifier", "\"access_token\"", "redirect")) {
        assertFalse(v.contains(secret), "'" + secret + "' readable in " + v);
      }
    }
  }
}
