package dev.tokenbroker.accounts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.config.ConfigLoader;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which accounts exist: a client_credentials provider serves {@code default} and the accounts it
 * lists, each with its own client credentials; an authorization_code account exists once authorized.
 */
class AccountsTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withTransformers("response-template")
        .withBody("{\"access_token\":\"tok-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"expires_in\":3600,\"token_type\":\"bearer\"}")));
    provider.stub(post(urlPathEqualTo(ProviderDouble.RIGHTSIGNATURE_PATH)).willReturn(aResponse().withStatus(500)));
  }

  private void startBroker(JsonObject config) {
    node = broker.start(config, MutableClock.startingNow());
  }

  private JsonObject providers() {
    JsonObject acme = new JsonObject().put("client-id", "acme-id").put("client-secret", "acme-secret");
    return new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()).put("accounts", new JsonObject().put("acme", acme)))
        .put("rightsignature", TestConfigs.rightsignature(provider.baseUrl()));
  }

  private static JsonObject account(String name) {
    return new JsonObject().put("account", name);
  }

  private Map<String, String> lastForm() {
    List<com.github.tomakehurst.wiremock.verification.LoggedRequest> requests = provider.requests(PATH);
    return ProviderDouble.params(requests.get(requests.size() - 1));
  }

  @Test
  void anUnconfiguredAccountOfAClientCredentialsProviderIsUnknownOnEveryPathWithoutAProviderCall() {
    startBroker(TestConfigs.broker(providers()));
    Http http = broker.http(node);

    for (String address : List.of(Addresses.get("esignglobal"), Addresses.refresh("esignglobal"))) {
      ReplyException e = node.requestFailure(address, account("stranger"));
      assertEquals(404, e.failureCode(), address);
      JsonObject error = new JsonObject(e.getMessage());
      assertEquals("unknown_account", error.getString("error"));
      assertTrue(error.getString("error_description").contains("providers.esignglobal.accounts"), error.encode());
    }
    ReplyException rejected = node.requestFailure(Addresses.get("esignglobal"), account("stranger").put("rejected_version", 3));
    assertEquals(404, rejected.failureCode());
    for (HttpResponse<Buffer> r : List.of(
        http.get("/v1/tokens/esignglobal?account=stranger"),
        http.get("/v1/tokens/esignglobal?account=stranger&rejected_version=7"),
        http.post("/v1/tokens/esignglobal/refresh?account=stranger"),
        http.post("/v1/oauth/esignglobal/authorize?account=stranger"))) {
      assertEquals(404, r.statusCode(), r.bodyAsString());
      assertEquals("unknown_account", r.bodyAsJsonObject().getString("error"));
    }

    assertEquals(0, provider.calls(PATH), "no provider call");
    assertNull(Await.result(node.store().load(new TokenKey("esignglobal", "stranger"))), "nothing stored");
    assertTrue(node.store().cachedAll().isEmpty());
    assertTrue(http.get("/v1/tokens").bodyAsJsonArray().isEmpty());
  }

  @Test
  void aConfiguredAccountReachesTheProviderWithItsOwnClientCredentials() {
    startBroker(TestConfigs.broker(providers()));

    JsonObject acme = node.request(Addresses.get("esignglobal"), account("acme"));
    assertEquals("acme", acme.getString("account"));
    assertEquals("client_credentials", lastForm().get("grant_type"));
    assertEquals("acme-id", lastForm().get("client_id"));
    assertEquals("acme-secret", lastForm().get("client_secret"));

    node.request(Addresses.get("esignglobal"), null);
    assertEquals(TestConfigs.CLIENT_ID, lastForm().get("client_id"), "default keeps the provider's own credentials");
    assertEquals(TestConfigs.CLIENT_SECRET, lastForm().get("client_secret"));

    HttpResponse<Buffer> forced = broker.http(node).post("/v1/tokens/esignglobal/refresh?account=acme");
    assertEquals(200, forced.statusCode(), forced.bodyAsString());
    assertEquals(2L, forced.bodyAsJsonObject().getLong("version"));
    assertEquals("acme-id", lastForm().get("client_id"), "a forced rotation too");
    assertEquals(3, provider.calls(PATH));
  }

  @Test
  void aScheduledRenewalNeverCreatesAToken() {
    startBroker(TestConfigs.broker(providers()));
    TokenKey acme = new TokenKey("esignglobal", "acme");
    node.request(Addresses.get("esignglobal"), account("acme"));
    Await.result(node.accounts().forget(acme));

    assertNull(Await.result(node.service().renew(acme, 1)), "the token is gone: nothing to renew");
    assertEquals(1, provider.calls(PATH));
    assertNull(Await.result(node.store().load(acme)));
  }

  @Test
  void anAuthorizationCodeAccountThatWasNeverAuthorizedStoresNothing() {
    startBroker(TestConfigs.broker(providers()));
    for (String address : List.of(Addresses.get("rightsignature"), Addresses.refresh("rightsignature"))) {
      ReplyException e = node.requestFailure(address, account("newcomer"));
      assertEquals(401, e.failureCode(), address);
      assertEquals("authorization_required", new JsonObject(e.getMessage()).getString("error"));
    }
    assertEquals(401, broker.http(node).get("/v1/tokens/rightsignature?account=newcomer&rejected_version=2").statusCode());
    assertEquals(0, provider.calls(ProviderDouble.RIGHTSIGNATURE_PATH));
    assertNull(Await.result(node.store().load(new TokenKey("rightsignature", "newcomer"))));
    assertTrue(node.store().cachedAll().isEmpty());
  }

  @Test
  void accountCredentialsComeFromTheEnvironment(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("accounts.yaml");
    Files.writeString(conf, """
        http:
          port: 0
          instances: 1
        providers:
          esignglobal:
            preset: esignglobal
            base-url: %s
            timeout-seconds: 2
            accounts:
              acme.eu-1: {}
              globex:
                client-id: globex-id
        """.formatted(provider.baseUrl()));
    Map<String, String> env = Map.of(
        "TOKEN_BROKER_ESIGNGLOBAL_CLIENT_ID", "default-id",
        "TOKEN_BROKER_ESIGNGLOBAL_CLIENT_SECRET", "default-secret",
        "TOKEN_BROKER_ESIGNGLOBAL_ACME_EU_1_CLIENT_ID", "acme-env-id",
        "TOKEN_BROKER_ESIGNGLOBAL_ACME_EU_1_CLIENT_SECRET", "acme-env-secret",
        "TOKEN_BROKER_ESIGNGLOBAL_GLOBEX_CLIENT_SECRET", "globex-env-secret",
        "TOKEN_BROKER_ESIGNGLOBAL_INITECH_CLIENT_ID", "not-listed-so-not-an-account");
    Vertx vertx = Vertx.vertx();
    JsonObject raw = Await.result(ConfigLoader.load(vertx, conf.toString(), env));
    BrokerConfig.parse(raw);
    startBroker(raw);

    node.request(Addresses.get("esignglobal"), account("acme.eu-1"));
    assertEquals("acme-env-id", lastForm().get("client_id"));
    assertEquals("acme-env-secret", lastForm().get("client_secret"));
    node.request(Addresses.get("esignglobal"), account("globex"));
    assertEquals("globex-id", lastForm().get("client_id"), "the file's value");
    assertEquals("globex-env-secret", lastForm().get("client_secret"), "the environment's value");
    assertEquals(404, node.requestFailure(Addresses.get("esignglobal"), account("initech")).failureCode());
    assertEquals(2, provider.calls(PATH));
    Await.result(vertx.close());
  }
}
