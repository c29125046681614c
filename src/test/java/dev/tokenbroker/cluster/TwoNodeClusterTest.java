package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.bus.Addresses;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two Hazelcast-clustered nodes in one JVM share one token map. */
class TwoNodeClusterTest {
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");
  private ProviderDouble provider;
  private BrokerNode a;
  private BrokerNode b;

  @BeforeEach
  void start() {
    provider = ProviderDouble.start();
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("cluster-token", 86398))));
    String cluster = ClusterSupport.uniqueName();
    List<Vertx> nodes = ClusterSupport.startNodes(cluster, 2);
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()))
        .put("rightsignature", TestConfigs.rightsignature(provider.baseUrl())));
    config.getJsonObject("refresh").put("min-validity-seconds", 0);
    a = BrokerNode.start(nodes.get(0), config, Clock.systemUTC());
    b = BrokerNode.start(nodes.get(1), config, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    for (BrokerNode node : List.of(b, a)) {
      try {
        node.close();
      } catch (RuntimeException alreadyClosed) {
        // a test stopped this node itself
      }
    }
    provider.close();
  }

  @Test
  void bothNodesSeeTheSameTokenFromOneProviderCall() {
    JsonObject fromA = a.request(Addresses.get("esignglobal"), null);
    Await.until("node B's local copy", Duration.ofSeconds(10), () -> b.service().store().cached(KEY) != null);

    Token onB = Await.result(b.service().get(KEY, 0, null));

    assertEquals(fromA.getString("access_token"), onB.accessToken().reveal());
    assertEquals(fromA.getLong("version"), onB.version());
    assertEquals(1, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));
    // and over the clustered event bus, whichever node answers
    for (int i = 0; i < 10; i++) {
      assertEquals("cluster-token", b.request(Addresses.get("esignglobal"), null).getString("access_token"));
    }
    assertEquals(1, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));
  }

  @Test
  void scheduledRenewalsAreMadeByOneNodeOnly() {
    provider.server.resetMappings();
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("short", 3))));
    a.request(Addresses.get("esignglobal"), null);

    Await.until("three scheduled rotations", Duration.ofSeconds(20), () -> a.service().store().cached(KEY).version() >= 4);

    long version = Await.result(a.service().store().load(KEY)).version();
    int calls = provider.calls(ProviderDouble.ESIGNGLOBAL_PATH);
    assertTrue(calls == version || calls == version + 1, calls + " provider calls for version " + version
        + ": one call per rotation (plus at most one in flight)");
  }

  @Test
  void anAuthorizationStartedOnOneNodeCompletesOnTheOther() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.RIGHTSIGNATURE_PATH))
        .willReturn(okJson("{\"access_token\":\"rs-a\",\"expires_in\":7200,\"refresh_token\":\"rs-r\"}")));
    String url = new Http(a).post("/v1/oauth/rightsignature/authorize?account=acme").bodyAsJsonObject().getString("authorize_url");
    String state = Http.query(url).get("state");

    HttpResponse<Buffer> page = new Http(b).send(HttpMethod.GET, "/v1/oauth/rightsignature/callback?code=c&state=" + Http.encode(state), null);

    assertEquals(200, page.statusCode(), page.bodyAsString());
    TokenKey acme = new TokenKey("rightsignature", "acme");
    Await.until("node A sees the new account", Duration.ofSeconds(10), () -> a.service().store().cached(acme) != null);
    assertEquals(400, new Http(a).send(HttpMethod.GET, "/v1/oauth/rightsignature/callback?code=c&state=" + Http.encode(state), null)
        .statusCode(), "the state is used up cluster-wide");
    assertEquals(1, provider.calls(ProviderDouble.RIGHTSIGNATURE_PATH));
  }

  @Test
  void anEventStreamOnOneNodeSeesARotationOnTheOther() {
    StringBuffer stream = new StringBuffer();
    io.vertx.core.http.HttpClient client = a.vertx.createHttpClient();
    HttpClientResponse response = Await.result(client.request(new RequestOptions()
            .setPort(a.httpPort()).setHost("127.0.0.1").setURI("/v1/events")
            .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY))
        .compose(req -> req.send()));
    response.handler(chunk -> stream.append(chunk.toString()));

    b.request(Addresses.refresh("esignglobal"), null);

    Await.until("the rotation made on node B", Duration.ofSeconds(10), () -> stream.toString().contains("event: token.rotated"));
    Await.result(client.close());
  }

  @Test
  void rotatingRefreshTokensFormOneChainAcrossAnOwnerRestart() {
    String path = ProviderDouble.RIGHTSIGNATURE_PATH;
    provider.stub(post(urlPathEqualTo(path)).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
        .withStatus(200).withHeader("Content-Type", "application/json").withTransformers("response-template")
        .withBody("{\"access_token\":\"a-{{randomValue length=8 type='ALPHANUMERIC'}}\",\"expires_in\":3,"
            + "\"refresh_token\":\"r-{{randomValue length=8 type='ALPHANUMERIC'}}\"}")));
    TokenKey acme = new TokenKey("rightsignature", "acme");
    Await.result(a.service().authorize(acme, dev.tokenbroker.secret.Secret.of("code"), null));
    Await.until("two scheduled rotations", Duration.ofSeconds(20), () -> a.service().store().cached(acme).version() >= 3);

    BrokerNode owner = hazelcastOwns(a, acme) ? a : b;
    BrokerNode survivor = owner == a ? b : a;
    long before = survivor.service().store().cached(acme).version();
    Await.result(owner.vertx.close());
    Await.until("rotations after the owner stopped", Duration.ofSeconds(20),
        () -> survivor.service().store().cached(acme).version() >= before + 2);

    List<java.util.Map<String, String>> calls = provider.requests(path).stream().map(ProviderDouble::params).toList();
    List<String> sent = calls.stream().filter(p -> "refresh_token".equals(p.get("grant_type"))).map(p -> p.get("refresh_token")).toList();
    assertEquals(sent.size(), new java.util.HashSet<>(sent).size(), "a refresh token was sent twice: " + sent);
    List<String> issued = provider.server.getAllServeEvents().stream()
        .sorted(java.util.Comparator.comparing(e -> e.getRequest().getLoggedDate()))
        .map(e -> new JsonObject(e.getResponse().getBodyAsString()).getString("refresh_token")).toList();
    for (int i = 0; i < sent.size(); i++) {
      assertEquals(issued.get(i), sent.get(i), "each refresh uses the refresh token issued just before it");
    }
  }

  private static boolean hazelcastOwns(BrokerNode node, TokenKey key) {
    return ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager) ((io.vertx.core.internal.VertxInternal) node.vertx).clusterManager())
        .getHazelcastInstance().getPartitionService().getPartition(key.id()).getOwner().localMember();
  }

  @Test
  void aRotationOnOneNodeIsWhatTheOtherServes() {
    a.request(Addresses.get("esignglobal"), null);
    JsonObject forced = b.request(Addresses.refresh("esignglobal"), null);
    assertEquals(2L, forced.getLong("version"));
    Await.until("both nodes at version 2", Duration.ofSeconds(10),
        () -> a.service().store().cached(KEY).version() == 2 && b.service().store().cached(KEY).version() == 2);
    assertEquals(2, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));
  }
}
