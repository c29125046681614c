package dev.tokenbroker.onboarding;

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
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The authorization-code onboarding end to end against WireMock as RightSignature. */
class OnboardingTest {
  private static final String TOKEN_PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final String REDIRECT = "https://broker.example.com/v1/oauth/rightsignature/callback";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private MutableClock clock;
  private BrokerNode node;
  private Http http;
  private final List<JsonObject> rotated = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(TOKEN_PATH)).willReturn(okJson(
        "{\"access_token\":\"rs-access\",\"token_type\":\"bearer\",\"expires_in\":7200,\"refresh_token\":\"rs-refresh\",\"scope\":\"read write\"}")));
    clock = MutableClock.startingNow();
    JsonObject rs = TestConfigs.rightsignature(provider.baseUrl()).put("scope", "read write").put("pkce", true);
    JsonObject esg = TestConfigs.esignglobal(provider.baseUrl()).put("grant", "authorization_code")
        .put("authorize-url", provider.baseUrl() + "/esign/authorize?lang=en")
        .put("redirect-uri", "https://broker.example.com/v1/oauth/esignglobal/callback")
        .put("authorize-params", new JsonObject().put("client_id", "clientId").put("redirect_uri", "redirectUri"));
    node = broker.start(TestConfigs.broker(new JsonObject().put("rightsignature", rs).put("esignglobal", esg)), clock);
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> rotated.add(m.body())).completion());
    http = broker.http(node);
  }

  private String authorize(String account) {
    HttpResponse<Buffer> r = http.post("/v1/oauth/rightsignature/authorize?account=" + account);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("authorize_url");
  }

  private HttpResponse<Buffer> callback(String query) {
    return http.send(io.vertx.core.http.HttpMethod.GET, "/v1/oauth/rightsignature/callback?" + query, null);
  }

  @Test
  void aPersonAuthorizesAndTheAccountIsConnected() {
    String url = authorize("acme");
    assertTrue(url.startsWith(provider.baseUrl() + "/oauth/authorize?"), url);
    Map<String, String> q = Http.query(url);
    assertEquals("code", q.get("response_type"));
    assertEquals(TestConfigs.CLIENT_ID, q.get("client_id"));
    assertEquals(REDIRECT, q.get("redirect_uri"));
    assertEquals("read write", q.get("scope"));
    assertEquals("S256", q.get("code_challenge_method"));
    assertTrue(q.get("state").length() >= 43);

    HttpResponse<Buffer> page = callback("code=the-code&state=" + Http.encode(q.get("state")));

    assertEquals(200, page.statusCode(), page.bodyAsString());
    assertTrue(page.getHeader("Content-Type").startsWith("text/html"));
    assertTrue(page.bodyAsString().contains("Account acme is connected to rightsignature"));
    LoggedRequest exchange = provider.requests(TOKEN_PATH).get(0);
    Map<String, String> form = ProviderDouble.params(exchange);
    assertEquals("authorization_code", form.get("grant_type"));
    assertEquals("the-code", form.get("code"));
    assertEquals(REDIRECT, form.get("redirect_uri"));
    assertEquals(q.get("code_challenge"), OnboardingService.challenge(Secret.of(form.get("code_verifier"))),
        "the verifier sent with the code matches the challenge sent to the browser");
    Token stored = Await.result(node.store().load(new TokenKey("rightsignature", "acme")));
    assertEquals("rs-refresh", stored.refreshToken().reveal());
    Await.until("token.rotated (authorized)", Duration.ofSeconds(5),
        () -> rotated.stream().anyMatch(e -> "authorized".equals(e.getString("reason")) && "acme".equals(e.getString("account"))));
    assertEquals("rs-access", http.get("/v1/tokens/rightsignature?account=acme").bodyAsJsonObject().getString("access_token"));
  }

  @Test
  void aStateWorksOnceOnly() {
    String state = Http.query(authorize("acme")).get("state");
    assertEquals(200, callback("code=c1&state=" + Http.encode(state)).statusCode());

    HttpResponse<Buffer> again = callback("code=c2&state=" + Http.encode(state));

    assertEquals(400, again.statusCode());
    assertTrue(again.bodyAsString().contains("already used"), again.bodyAsString());
    assertEquals(1, provider.calls(TOKEN_PATH), "a reused state exchanges nothing");
  }

  @Test
  void anExpiredOrUnknownStateIsRefused() {
    String state = Http.query(authorize("acme")).get("state");
    clock.advance(Duration.ofMinutes(11));
    assertEquals(400, callback("code=c&state=" + Http.encode(state)).statusCode());
    assertEquals(400, callback("code=c&state=made-up").statusCode());
    assertEquals(400, callback("code=c").statusCode());
    assertEquals(0, provider.calls(TOKEN_PATH));
    assertNull(Await.result(node.store().load(new TokenKey("rightsignature", "acme"))));
  }

  @Test
  void aRefusalAtTheProviderIsShownEscapedAndStoresNothing() {
    String state = Http.query(authorize("acme")).get("state");
    HttpResponse<Buffer> page = callback("error=access_denied&error_description=" + Http.encode("<script>alert(1)</script>")
        + "&state=" + Http.encode(state));
    assertEquals(400, page.statusCode());
    assertTrue(page.bodyAsString().contains("access_denied"));
    assertFalse(page.bodyAsString().contains("<script>"), page.bodyAsString());
    assertTrue(page.bodyAsString().contains("&lt;script&gt;"));
    assertEquals(0, provider.calls(TOKEN_PATH));
    assertEquals(400, callback("code=c&state=" + Http.encode(state)).statusCode(), "the refused state is used up");
  }

  @Test
  void aFailedExchangeSaysWhyAndStoresNothing() {
    provider.server.resetMappings();
    provider.stub(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(403)
        .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}")));
    String state = Http.query(authorize("acme")).get("state");
    HttpResponse<Buffer> page = callback("code=old&state=" + Http.encode(state));
    assertEquals(400, page.statusCode());
    assertTrue(page.bodyAsString().contains("code expired"));
    assertNull(Await.result(node.store().load(new TokenKey("rightsignature", "acme"))));
  }

  @Test
  void authorizeParameterNamesCanBeRenamedPerProvider() {
    String url = http.post("/v1/oauth/esignglobal/authorize?account=tenant-1").bodyAsJsonObject().getString("authorize_url");
    Map<String, String> q = Http.query(url);
    assertTrue(url.startsWith(provider.baseUrl() + "/esign/authorize?lang=en&"), url);
    assertEquals(TestConfigs.CLIENT_ID, q.get("clientId"));
    assertEquals("https://broker.example.com/v1/oauth/esignglobal/callback", q.get("redirectUri"));
    assertNull(q.get("client_id"));
    assertNull(q.get("code_challenge"), "no PKCE unless configured");
  }

  @Test
  void authorizeNeedsTheApiKeyAndAConfiguredProvider() {
    assertEquals(401, http.send(io.vertx.core.http.HttpMethod.POST, "/v1/oauth/rightsignature/authorize", null).statusCode());
    assertEquals(404, http.post("/v1/oauth/nobody/authorize").statusCode());
    assertEquals(400, http.post("/v1/oauth/rightsignature/authorize?account=bad%20name").statusCode());
  }
}
