package dev.tokenbroker.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each provider dialect, checked by what the provider double received. */
class ProviderDialectTest {
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;

  @Test
  void esignglobalGetsMultipartClientCredentials() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH))
        .willReturn(okJson("{\"access_token\":\"esg-1\",\"expires_in\":86398,\"scope\":\"read-write\",\"token_type\":\"bearer\"}")));
    node = broker.start(TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()))));

    JsonObject reply = node.request(Addresses.get("esignglobal"), null);

    assertEquals("esg-1", reply.getString("access_token"));
    assertEquals("Bearer", reply.getString("token_type"));
    assertEquals("read-write", reply.getString("scope"));
    assertEquals(1L, reply.getLong("version"));
    assertTrue(reply.getLong("expires_in") > 86390);
    LoggedRequest request = provider.requests(ProviderDouble.ESIGNGLOBAL_PATH).get(0);
    assertTrue(request.isMultipart(), "eSignGlobal documents multipart/form-data only");
    assertTrue(request.getHeader("Content-Type").startsWith("multipart/form-data"));
    assertEquals(Map.of("grant_type", "client_credentials", "client_id", TestConfigs.CLIENT_ID,
        "client_secret", TestConfigs.CLIENT_SECRET), ProviderDouble.params(request));
  }

  @Test
  void rightsignatureGetsFormUrlencodedCodeExchangeWithRedirectUriAndRotatesRefreshTokens() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.RIGHTSIGNATURE_PATH))
        .willReturn(okJson("{\"access_token\":\"rs-a1\",\"token_type\":\"bearer\",\"expires_in\":7200,"
            + "\"refresh_token\":\"rs-r1\",\"scope\":\"read\",\"created_at\":1711670417}")));
    node = broker.start(TestConfigs.broker(new JsonObject().put("rightsignature", TestConfigs.rightsignature(provider.baseUrl()))));
    TokenKey alice = new TokenKey("rightsignature", "alice");

    Token authorized = Await.result(node.accounts().authorize(alice, Secret.of("the-code"), null));

    assertEquals("rs-a1", authorized.accessToken().reveal());
    assertEquals("rs-r1", authorized.refreshToken().reveal());
    LoggedRequest exchange = provider.requests(ProviderDouble.RIGHTSIGNATURE_PATH).get(0);
    assertFalse(exchange.isMultipart());
    assertTrue(exchange.getHeader("Content-Type").startsWith("application/x-www-form-urlencoded"));
    assertEquals(Map.of("grant_type", "authorization_code", "code", "the-code",
        "redirect_uri", "https://broker.example.com/v1/oauth/rightsignature/callback",
        "client_id", TestConfigs.CLIENT_ID, "client_secret", TestConfigs.CLIENT_SECRET), ProviderDouble.params(exchange));

    // A forced refresh sends the refresh token and stores the rotated one with the new access token.
    provider.server.resetMappings();
    provider.stub(post(urlPathEqualTo(ProviderDouble.RIGHTSIGNATURE_PATH))
        .willReturn(okJson("{\"access_token\":\"rs-a2\",\"token_type\":\"bearer\",\"expires_in\":7200,\"refresh_token\":\"rs-r2\"}")));
    JsonObject reply = node.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "alice"));

    assertEquals("rs-a2", reply.getString("access_token"));
    assertEquals(2L, reply.getLong("version"));
    LoggedRequest refresh = provider.requests(ProviderDouble.RIGHTSIGNATURE_PATH).get(1);
    assertEquals(Map.of("grant_type", "refresh_token", "refresh_token", "rs-r1",
        "client_id", TestConfigs.CLIENT_ID, "client_secret", TestConfigs.CLIENT_SECRET), ProviderDouble.params(refresh));
    Token stored = Await.result(node.store().load(alice));
    assertEquals("rs-a2", stored.accessToken().reveal());
    assertEquals("rs-r2", stored.refreshToken().reveal());
    assertEquals("read", stored.scope(), "scope kept from the previous token when the refresh response has none");
  }

  @Test
  void aRefreshResponseWithoutRefreshTokenKeepsTheOldOne() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.RIGHTSIGNATURE_PATH)).inScenario("rt").whenScenarioStateIs("Started")
        .willReturn(okJson("{\"access_token\":\"a1\",\"expires_in\":7200,\"refresh_token\":\"keep-me\"}")).willSetStateTo("issued"));
    provider.stub(post(urlPathEqualTo(ProviderDouble.RIGHTSIGNATURE_PATH)).inScenario("rt").whenScenarioStateIs("issued")
        .willReturn(okJson("{\"access_token\":\"a2\",\"expires_in\":7200}")));
    node = broker.start(TestConfigs.broker(new JsonObject().put("rightsignature", TestConfigs.rightsignature(provider.baseUrl()))));
    TokenKey bob = new TokenKey("rightsignature", "bob");
    Await.result(node.accounts().authorize(bob, Secret.of("c"), null));

    node.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "bob"));
    node.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "bob"));

    Token stored = Await.result(node.store().load(bob));
    assertEquals("keep-me", stored.refreshToken().reveal());
    assertEquals(3L, stored.version());
    assertEquals("keep-me", ProviderDouble.params(provider.requests(ProviderDouble.RIGHTSIGNATURE_PATH).get(2)).get("refresh_token"));
  }

  @Test
  void genericProviderCanUseBasicAuthAndJsonBody() {
    provider.stub(post(urlPathEqualTo("/token")).willReturn(okJson("{\"access_token\":\"g1\",\"token_type\":\"Bearer\"}")));
    JsonObject other = new JsonObject().put("token-url", provider.baseUrl() + "/token").put("body", "json")
        .put("client-auth", "basic").put("scope", "documents").put("client-id", "id:with colon").put("client-secret", "s3cr&t");
    node = broker.start(TestConfigs.broker(new JsonObject().put("other-vendor", other)));

    JsonObject reply = node.request(Addresses.get("other-vendor"), new JsonObject());

    assertEquals("g1", reply.getString("access_token"));
    assertTrue(reply.getLong("expires_in") > 3590, "default lifetime (3600 s) without expires_in");
    LoggedRequest request = provider.requests("/token").get(0);
    String expected = "Basic " + Base64.getEncoder().encodeToString("id%3Awith+colon:s3cr%26t".getBytes(StandardCharsets.UTF_8));
    assertEquals(expected, request.getHeader("Authorization"));
    JsonObject body = new JsonObject(request.getBodyAsString());
    assertEquals(new JsonObject().put("grant_type", "client_credentials").put("scope", "documents"), body);
    assertNull(body.getString("client_secret"));
  }

  @Test
  void formEncodingCanBeChosenForAGenericProvider() {
    provider.stub(post(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"access_token\":\"f1\",\"expires_in\":60}")));
    JsonObject other = new JsonObject().put("token-url", provider.baseUrl() + "/token").put("body", "form")
        .put("client-id", "id").put("client-secret", "secret");
    node = broker.start(TestConfigs.broker(new JsonObject().put("other", other)));

    node.request(Addresses.get("other"), null);

    LoggedRequest request = provider.requests("/token").get(0);
    assertTrue(request.getHeader("Content-Type").startsWith("application/x-www-form-urlencoded"));
    assertEquals(Map.of("grant_type", "client_credentials", "client_id", "id", "client_secret", "secret"), ProviderDouble.params(request));
  }
}
