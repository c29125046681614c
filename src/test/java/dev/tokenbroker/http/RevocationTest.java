package dev.tokenbroker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code DELETE /v1/tokens/{p}}: RFC 7009 revocation at the provider's revocation-url (WireMock), then the delete. */
class RevocationTest {
  private static final String TOKEN_PATH = "/oauth/token";
  private static final String REVOKE_PATH = "/oauth/revoke";
  private static final TokenKey KEY = new TokenKey("vendor", "default");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withBody("{\"access_token\":\"access-1\",\"expires_in\":3600,\"token_type\":\"bearer\",\"refresh_token\":\"refresh-1\"}")));
  }

  private void startBroker(JsonObject extra) {
    JsonObject vendor = new JsonObject().put("token-url", provider.baseUrl() + TOKEN_PATH).put("body", "form")
        .put("client-id", TestConfigs.CLIENT_ID).put("client-secret", TestConfigs.CLIENT_SECRET).put("timeout-seconds", 4);
    node = broker.start(TestConfigs.broker(new JsonObject().put("vendor", vendor.mergeIn(extra))));
    http = broker.http(node);
    assertEquals(200, http.get("/v1/tokens/vendor").statusCode());
  }

  private HttpResponse<Buffer> delete() {
    return http.send(HttpMethod.DELETE, "/v1/tokens/vendor", TestConfigs.API_KEY);
  }

  private Token stored() {
    return node.store().cached(KEY);
  }

  @Test
  void revokesTheRefreshTokenWithTheTokenEndpointsClientAuthThenDeletes() {
    provider.stub(post(urlPathEqualTo(REVOKE_PATH)).willReturn(aResponse().withStatus(200)));
    startBroker(new JsonObject().put("revocation-url", provider.baseUrl() + REVOKE_PATH));

    HttpResponse<Buffer> r = delete();

    assertEquals(200, r.statusCode());
    assertEquals(new JsonObject().put("revoked", true), r.bodyAsJsonObject());
    List<LoggedRequest> calls = provider.requests(REVOKE_PATH);
    assertEquals(1, calls.size());
    assertTrue(calls.get(0).getHeader("Content-Type").startsWith("application/x-www-form-urlencoded"));
    assertEquals(Map.of("token", "refresh-1", "token_type_hint", "refresh_token", "client_id", TestConfigs.CLIENT_ID,
        "client_secret", TestConfigs.CLIENT_SECRET), ProviderDouble.params(calls.get(0)));
    assertNull(stored());
    assertEquals(0, http.get("/v1/tokens").bodyAsJsonArray().size());
  }

  @Test
  void basicClientAuthIsUsedWhenTheTokenEndpointUsesIt() {
    provider.stub(post(urlPathEqualTo(REVOKE_PATH)).withRequestBody(containing("token=refresh-1")).willReturn(aResponse().withStatus(200)));
    startBroker(new JsonObject().put("revocation-url", provider.baseUrl() + REVOKE_PATH).put("client-auth", "basic"));

    assertEquals(new JsonObject().put("revoked", true), delete().bodyAsJsonObject());

    LoggedRequest call = provider.requests(REVOKE_PATH).get(0);
    assertEquals("Basic " + Base64.getEncoder().encodeToString((TestConfigs.CLIENT_ID + ":" + TestConfigs.CLIENT_SECRET)
        .getBytes(StandardCharsets.UTF_8)), call.getHeader("Authorization"));
    assertEquals(Map.of("token", "refresh-1", "token_type_hint", "refresh_token"), ProviderDouble.params(call));
  }

  @Test
  void aFailedRevocationStillDeletesAndSaysRevokedFalse() {
    provider.stub(post(urlPathEqualTo(REVOKE_PATH)).willReturn(aResponse().withStatus(503)));
    startBroker(new JsonObject().put("revocation-url", provider.baseUrl() + REVOKE_PATH));

    HttpResponse<Buffer> r = delete();

    assertEquals(200, r.statusCode());
    assertEquals(new JsonObject().put("revoked", false), r.bodyAsJsonObject());
    assertEquals(1, provider.calls(REVOKE_PATH));
    assertNull(stored());
  }

  @Test
  void aRevocationEndpointThatNeverAnswersIsCutOffAtTheDeadline() {
    provider.stub(post(urlPathEqualTo(REVOKE_PATH)).willReturn(aResponse().withStatus(200).withFixedDelay(20000)));
    startBroker(new JsonObject().put("revocation-url", provider.baseUrl() + REVOKE_PATH));

    long started = System.nanoTime();
    HttpResponse<Buffer> r = delete();
    long millis = (System.nanoTime() - started) / 1_000_000;

    assertEquals(new JsonObject().put("revoked", false), r.bodyAsJsonObject());
    assertTrue(millis >= 3500 && millis < 12000, "answered after " + millis + " ms; the deadline is timeout-seconds (4 s)");
    assertNull(stored());
  }

  @Test
  void withoutARevocationUrlTheTokenIsDeletedAndNotRevoked() {
    startBroker(new JsonObject());

    HttpResponse<Buffer> r = delete();

    assertEquals(200, r.statusCode());
    assertEquals(new JsonObject().put("revoked", false), r.bodyAsJsonObject());
    assertEquals(0, provider.calls(REVOKE_PATH));
    assertNull(stored());
  }
}
