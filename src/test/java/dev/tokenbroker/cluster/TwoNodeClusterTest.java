package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two Hazelcast-clustered nodes in one JVM share one token map. Each node has its own client id, so calls show who made them. */
class TwoNodeClusterTest {
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");
  private static final String CLIENT_A = "client-a";
  private static final String CLIENT_B = "client-b";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode a;
  private BrokerNode b;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("cluster-token", 86398))));
    List<BrokerNode> nodes = broker.startCluster(2, i -> config(i == 0 ? CLIENT_A : CLIENT_B));
    a = nodes.get(0);
    b = nodes.get(1);
  }

  private JsonObject config(String clientId) {
    JsonObject config = TestConfigs.broker(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()).put("client-id", clientId))
        .put("rightsignature", TestConfigs.rightsignature(provider.baseUrl()).put("client-id", clientId)));
    config.getJsonObject("refresh").put("min-validity-seconds", 0);
    return config;
  }

  private String clientId(BrokerNode node) {
    return node == a ? CLIENT_A : CLIENT_B;
  }

  private BrokerNode other(BrokerNode node) {
    return node == a ? b : a;
  }

  private static String clientIdOf(LoggedRequest call) {
    return ProviderDouble.params(call).get("client_id");
  }

  private static boolean owns(BrokerNode node, TokenKey key) {
    return ClusterSupport.hazelcast(node.vertx).getPartitionService().getPartition(key.id()).getOwner().localMember();
  }

  private void awaitClusterSafe() {
    Await.until("the partition table to settle", Duration.ofSeconds(30),
        () -> ClusterSupport.hazelcast(a.vertx).getPartitionService().isClusterSafe()
            && ClusterSupport.hazelcast(b.vertx).getPartitionService().isClusterSafe());
  }

  private List<JsonObject> rotatedEventsOn(BrokerNode node) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> events.add(m.body())).completion());
    return events;
  }

  @Test
  void eachNodeIsReadyWithItsClusterCheckUp() {
    for (BrokerNode node : List.of(a, b)) {
      HttpResponse<Buffer> ready = broker.http(node).send(HttpMethod.GET, "/ready", null);
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      assertTrue(ready.bodyAsJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
          .anyMatch(check -> check.getString("id").equals("cluster") && check.getString("status").equals("UP")), ready.bodyAsString());
    }
  }

  @Test
  void bothNodesSeeTheSameTokenFromOneProviderCall() {
    JsonObject fromA = a.request(Addresses.get("esignglobal"), null);
    Await.until("node B's local copy", Duration.ofSeconds(10), () -> b.store().cached(KEY) != null);

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
  void scheduledRenewalsAreMadeByTheKeysOwnerOnly() {
    provider.server.resetMappings();
    // 3 s tokens three times, then a long one: the scheduled renewals stop at version 4
    provider.stubLifetimes(ProviderDouble.ESIGNGLOBAL_PATH, 3, 3, 3, 86398);
    awaitClusterSafe();
    BrokerNode owner = owns(a, KEY) ? a : b;
    BrokerNode notOwner = other(owner);
    List<JsonObject> rotated = rotatedEventsOn(a);
    AtomicBoolean notOwnerHadATimer = new AtomicBoolean();

    a.request(Addresses.get("esignglobal"), null);

    Await.until("version 4 on both nodes, no rotation in flight", Duration.ofSeconds(40), () -> {
      notOwnerHadATimer.compareAndSet(false, notOwner.broker.refresher().isScheduled(KEY));
      return List.of(a, b).stream().allMatch(n -> {
        Token t = n.store().cached(KEY);
        return t != null && t.version() == 4 && !n.service().isRotating(KEY);
      });
    });
    Await.until("the owner's timer for version 4", Duration.ofSeconds(10), () -> owner.broker.refresher().isScheduled(KEY));

    assertTrue(owns(owner, KEY), "the key did not move during the test");
    assertFalse(notOwnerHadATimer.get(), "the node that does not own the key had a timer for it");
    assertEquals(1, owner.broker.refresher().scheduledCount());
    assertEquals(0, notOwner.broker.refresher().scheduledCount());
    List<LoggedRequest> calls = provider.requests(ProviderDouble.ESIGNGLOBAL_PATH);
    assertEquals(4, calls.size(), "one provider call per version");
    for (LoggedRequest renewal : calls.subList(1, calls.size())) {
      assertEquals(clientId(owner), clientIdOf(renewal), "a scheduled renewal made by the node that does not own the key");
    }
    Await.until("the four token.rotated events", Duration.ofSeconds(10), () -> rotated.size() >= 4);
    assertEquals(List.of("on_demand", "scheduled", "scheduled", "scheduled"), rotated.stream().map(e -> e.getString("reason")).toList());
  }

  @Test
  void anAuthorizationStartedOnOneNodeCompletesOnTheOther() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.RIGHTSIGNATURE_PATH))
        .willReturn(okJson("{\"access_token\":\"rs-a\",\"expires_in\":7200,\"refresh_token\":\"rs-r\"}")));
    String url = broker.http(a).post("/v1/oauth/rightsignature/authorize?account=acme").bodyAsJsonObject().getString("authorize_url");
    String state = Http.query(url).get("state");

    HttpResponse<Buffer> page = broker.http(b).send(HttpMethod.GET, "/v1/oauth/rightsignature/callback?code=c&state=" + Http.encode(state), null);

    assertEquals(200, page.statusCode(), page.bodyAsString());
    TokenKey acme = new TokenKey("rightsignature", "acme");
    Await.until("node A sees the new account", Duration.ofSeconds(10), () -> a.store().cached(acme) != null);
    assertEquals(400, broker.http(a).send(HttpMethod.GET, "/v1/oauth/rightsignature/callback?code=c&state=" + Http.encode(state), null)
        .statusCode(), "the state is used up cluster-wide");
    List<LoggedRequest> calls = provider.requests(ProviderDouble.RIGHTSIGNATURE_PATH);
    assertEquals(1, calls.size());
    assertEquals(CLIENT_B, clientIdOf(calls.get(0)), "node B exchanged the code");
  }

  @Test
  void anEventStreamOnOneNodeSeesARotationOnTheOther() {
    StringBuffer stream = new StringBuffer();
    HttpClient client = broker.httpClient(a.vertx);
    HttpClientResponse response = Await.result(client.request(new RequestOptions()
            .setPort(a.httpPort()).setHost("127.0.0.1").setURI("/v1/events")
            .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY))
        .compose(req -> req.send()));
    response.handler(chunk -> stream.append(chunk.toString()));

    // through node B's service itself: over the bus, node A's token verticle could have answered
    Await.result(b.service().refresh(KEY, RotationReason.FORCED));

    Await.until("the rotation made on node B", Duration.ofSeconds(10), () -> stream.toString().contains("event: token.rotated"));
    assertEquals(CLIENT_B, clientIdOf(provider.requests(ProviderDouble.ESIGNGLOBAL_PATH).get(0)));
    Await.result(client.close());
  }

  /**
   * The invariant of rotating refresh tokens: each refresh sends the refresh token issued just
   * before it, and no refresh token is sent twice, while the node that renews the account stops
   * and a new node joins in its place.
   */
  @Test
  void rotatingRefreshTokensFormOneChainAcrossAnOwnerRestart() {
    String path = ProviderDouble.RIGHTSIGNATURE_PATH;
    // 6 s tokens: renewed every 4 s, so stopping a node right after a renewal never cuts a refresh in flight
    provider.stub(post(urlPathEqualTo(path)).willReturn(aResponse()
        .withStatus(200).withHeader("Content-Type", "application/json").withTransformers("response-template")
        .withBody("{\"access_token\":\"a-{{randomValue length=8 type='ALPHANUMERIC'}}\",\"expires_in\":6,"
            + "\"refresh_token\":\"r-{{randomValue length=8 type='ALPHANUMERIC'}}\"}")));
    TokenKey acme = new TokenKey("rightsignature", "acme");
    Await.result(a.accounts().authorize(acme, Secret.of("code"), null));
    Await.until("two scheduled rotations", Duration.ofSeconds(30), () -> a.store().cached(acme).version() >= 3);

    BrokerNode owner = owns(a, acme) ? a : b;
    BrokerNode survivor = other(owner);
    String ownerClientId = clientId(owner);
    long beforeStop = survivor.store().cached(acme).version();
    int refreshesAtStop = provider.calls(path) - 1;
    owner.close();
    Await.until("a rotation while the owner is away", Duration.ofSeconds(30),
        () -> survivor.store().cached(acme).version() >= beforeStop + 1);

    BrokerNode restarted = broker.joinCluster(2, config(ownerClientId));
    if (owner == a) {
      a = restarted;
    } else {
      b = restarted;
    }
    Await.until("the restarted node's copy of the token", Duration.ofSeconds(10), () -> restarted.store().cached(acme) != null);
    Await.until("the partition table to settle", Duration.ofSeconds(30),
        () -> ClusterSupport.hazelcast(restarted.vertx).getPartitionService().isClusterSafe());
    long atRejoin = survivor.store().cached(acme).version();
    // for the report only: a refresh the survivor's copy does not show yet may already be counted here
    int callsAtRejoin = provider.calls(path);
    Await.until("two rotations after the restarted node rejoined", Duration.ofSeconds(30),
        () -> survivor.store().cached(acme).version() >= atRejoin + 2
            && restarted.store().cached(acme).version() >= atRejoin + 2);

    List<ServeEvent> exchanges = provider.exchanges(path);
    // version n took n answers from the provider: the authorization, then one per refresh
    assertTrue(exchanges.size() >= atRejoin + 2, exchanges.size() + " calls for version " + (atRejoin + 2) + " or later");
    assertEquals("authorization_code", ProviderDouble.params(exchanges.get(0).getRequest()).get("grant_type"));
    List<String> sent = new ArrayList<>();
    for (int i = 1; i < exchanges.size(); i++) {
      Map<String, String> params = ProviderDouble.params(exchanges.get(i).getRequest());
      String issuedBefore = new JsonObject(exchanges.get(i - 1).getResponse().getBodyAsString()).getString("refresh_token");
      assertEquals("refresh_token", params.get("grant_type"));
      assertEquals(issuedBefore, params.get("refresh_token"), "refresh " + i + " uses the refresh token issued just before it");
      sent.add(params.get("refresh_token"));
    }
    assertEquals(sent.size(), new HashSet<>(sent).size(), "a refresh token was sent twice: " + sent);
    System.out.printf("[cluster] %d refreshes in one chain, made by %s; %s stopped after refresh %d and rejoined after refresh %d%n",
        sent.size(), exchanges.stream().skip(1).map(e -> clientIdOf(e.getRequest())).toList(), ownerClientId, refreshesAtStop,
        callsAtRejoin - 1);
  }

  @Test
  void aRotationOnOneNodeIsWhatTheOtherServes() {
    a.request(Addresses.get("esignglobal"), null);

    Token forced = Await.result(b.service().refresh(KEY, RotationReason.FORCED));

    assertEquals(2L, forced.version());
    Await.until("node A's copy at version 2", Duration.ofSeconds(10), () -> a.store().cached(KEY).version() == 2);
    Token servedByA = Await.result(a.service().get(KEY, 0, null));
    assertEquals(2L, servedByA.version());
    assertEquals(forced.accessToken().reveal(), servedByA.accessToken().reveal());
    List<LoggedRequest> calls = provider.requests(ProviderDouble.ESIGNGLOBAL_PATH);
    assertEquals(2, calls.size());
    assertEquals(CLIENT_B, clientIdOf(calls.get(1)), "the rotation was made on node B");
  }
}
