package dev.tokenbroker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code PUT /v1/tokens/{provider}?account=}: importing a grant obtained elsewhere (admin only). */
class ImportTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final TokenKey KEY = new TokenKey("rightsignature", "alice");
  private static final String READER = "reader-key";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;
  private final List<JsonObject> rotated = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    JsonObject config = TestConfigs.broker(new JsonObject().put("rightsignature",
        TestConfigs.rightsignature(provider.baseUrl()).put("timeout-seconds", 10)));
    config.getJsonObject("http").getJsonArray("api-keys").add(new JsonObject().put("name", "reader")
        .put("sha256", Secret.sha256Hex(READER)).put("actions", new JsonArray().add("read").add("refresh")));
    node = broker.start(config);
    http = broker.http(node);
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> rotated.add(m.body())).completion());
  }

  private HttpResponse<Buffer> put(String account, Object body, String apiKey) {
    var request = broker.webClient(node.vertx).request(HttpMethod.PUT, node.httpPort(), "127.0.0.1",
        "/v1/tokens/rightsignature?account=" + account).putHeader("Authorization", "Bearer " + apiKey);
    return Await.result(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body.toString())));
  }

  private void providerAnswers(int status, String body) {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
        .withBody(body)));
  }

  private Token stored() {
    return node.store().cached(KEY);
  }

  @Test
  void aGrantWithAnAccessTokenIsStoredAsGivenWithoutCallingTheProvider() {
    HttpResponse<Buffer> r = put("alice", new JsonObject().put("refresh_token", "imported-refresh").put("access_token", "imported-access")
        .put("expires_in", 1800).put("scope", "read"), TestConfigs.API_KEY);

    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject reply = r.bodyAsJsonObject();
    assertEquals("imported-access", reply.getString("access_token"));
    assertEquals(1L, reply.getLong("version"));
    assertTrue(reply.getLong("expires_in") > 1790 && reply.getLong("expires_in") <= 1800);
    assertEquals(0, provider.calls(PATH));
    assertEquals("imported-refresh", stored().refreshToken().reveal());
    assertEquals("read", stored().scope());
    Await.until("token.rotated", Duration.ofSeconds(10), () -> !rotated.isEmpty());
    assertEquals("authorized", rotated.get(0).getString("reason"));
    assertEquals("imported-access", http.get("/v1/tokens/rightsignature?account=alice").bodyAsJsonObject().getString("access_token"));
  }

  @Test
  void aRefreshTokenAloneIsRotatedAtOnceAndReplacesTheAccountsTokenWithTheNextVersion() {
    put("alice", new JsonObject().put("refresh_token", "old-refresh").put("access_token", "old-access"), TestConfigs.API_KEY);
    providerAnswers(200, "{\"access_token\":\"fresh-access\",\"expires_in\":7200,\"token_type\":\"bearer\",\"refresh_token\":\"rotated-refresh\"}");

    HttpResponse<Buffer> r = put("alice", new JsonObject().put("refresh_token", "imported-refresh"), TestConfigs.API_KEY);

    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("fresh-access", r.bodyAsJsonObject().getString("access_token"));
    assertEquals(2L, r.bodyAsJsonObject().getLong("version"), "versions go on from the stored token");
    assertEquals(1, provider.calls(PATH));
    Map<String, String> sent = ProviderDouble.params(provider.requests(PATH).get(0));
    assertEquals("refresh_token", sent.get("grant_type"));
    assertEquals("imported-refresh", sent.get("refresh_token"));
    assertEquals(TestConfigs.CLIENT_ID, sent.get("client_id"));
    assertEquals("rotated-refresh", stored().refreshToken().reveal(), "the provider's rotated refresh token is kept");
  }

  @Test
  void aProviderAnswerWithoutARefreshTokenKeepsTheImportedOne() {
    providerAnswers(200, "{\"access_token\":\"fresh-access\",\"expires_in\":7200,\"token_type\":\"bearer\"}");

    assertEquals(200, put("alice", new JsonObject().put("refresh_token", "imported-refresh"), TestConfigs.API_KEY).statusCode());

    assertEquals("imported-refresh", stored().refreshToken().reveal());
  }

  @Test
  void aRefreshTokenTheProviderRefusesStoresNothingAndSaysWhy() {
    providerAnswers(400, "{\"error\":\"invalid_grant\",\"error_description\":\"The refresh token is revoked\"}");

    HttpResponse<Buffer> r = put("alice", new JsonObject().put("refresh_token", "dead-refresh"), TestConfigs.API_KEY);

    assertEquals(400, r.statusCode());
    assertEquals("invalid_request", r.bodyAsJsonObject().getString("error"));
    String why = r.bodyAsJsonObject().getString("error_description");
    assertTrue(why.contains("invalid_grant") && why.contains("The refresh token is revoked"), why);
    assertTrue(!why.contains("dead-refresh"), "the token is not echoed");
    assertNull(stored());
    assertEquals(0, http.get("/v1/tokens").bodyAsJsonArray().size());
    assertTrue(rotated.isEmpty());
  }

  @Test
  void badBodiesAreInvalidRequestsAndNonAdminKeysAreForbidden() {
    for (Object body : List.of("not json", new JsonObject(), new JsonObject().put("refresh_token", ""),
        new JsonObject().put("refresh_token", "r").put("expires_in", 60),
        new JsonObject().put("refresh_token", "r").put("access_token", "a").put("expires_in", -1),
        new JsonObject().put("refresh-token", "r"), new JsonArray().add("r"))) {
      HttpResponse<Buffer> r = put("alice", body, TestConfigs.API_KEY);
      assertEquals(400, r.statusCode(), body.toString());
      assertEquals("invalid_request", r.bodyAsJsonObject().getString("error"), body.toString());
    }
    assertEquals(400, put("bad/account", new JsonObject().put("refresh_token", "r"), TestConfigs.API_KEY).statusCode());
    assertEquals(403, put("alice", new JsonObject().put("refresh_token", "r").put("access_token", "a"), READER).statusCode());
    assertEquals(0, provider.calls(PATH));
    assertNull(stored());
  }
}
