package dev.tokenbroker.store;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole broker stops while a refresh with a rotating refresh token is in flight, and nothing it
 * learns after the call went out reaches PostgreSQL (the database is stopped first, as in a crash).
 * The intent written before the call survives: after a full restart the refresh token is replayed
 * ({@code lost-answer: replay}) or, with {@code reauthorize}, never sent again.
 */
class CrashMidCallTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  private static final JsonObject ACME_BODY = new JsonObject().put("account", "acme");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  @TempDir
  Path dir;

  @BeforeEach
  void startProvider() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"a0\",\"expires_in\":7200,\"refresh_token\":\"r0\"}")));
    // the first refresh with r0 is processed and its answer still on its way when the broker stops
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=r0"))
        .inScenario("r0").whenScenarioStateIs(STARTED).willSetStateTo("in flight")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody("{\"access_token\":\"a1\",\"expires_in\":7200,\"refresh_token\":\"r1\"}").withFixedDelay(60_000)));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=r0"))
        .inScenario("r0").whenScenarioStateIs("in flight")
        .willReturn(okJson("{\"access_token\":\"a2\",\"expires_in\":7200,\"refresh_token\":\"r2\"}")));
  }

  private JsonObject config(EmbeddedPg pg, String key, String lostAnswer) {
    // the call stays in flight for 8 s: long enough to stop PostgreSQL under it
    JsonObject rs = TestConfigs.rightsignature(provider.baseUrl()).put("timeout-seconds", 8).put("lost-answer", lostAnswer);
    return TestConfigs.broker(new JsonObject().put("rightsignature", rs)).put("store", pg.storeConfig(key));
  }

  /** Authorizes acme, starts a refresh and stops everything while the provider holds its answer. */
  private void crashMidCall(EmbeddedPg pg, JsonObject cfg) throws Exception {
    BrokerNode node = broker.start(cfg);
    try {
      Await.result(node.accounts().authorize(ACME, Secret.of("code"), null));
      node.vertx.eventBus().request(Addresses.refresh("rightsignature"), ACME_BODY, new DeliveryOptions().setSendTimeout(90_000));
      Await.until("the refresh to reach the provider", Duration.ofSeconds(10), () -> provider.refreshTokensSent(PATH).size() == 1);
      pg.stop(); // from here on nothing the broker learns is durable
    } finally {
      // the stop may let the refresh in flight run to its deadline (timeout-seconds: 8), the provider holding its
      // answer, then fails to store what it learnt; on a loaded machine that has taken over 30 s
      node.close(Duration.ofSeconds(60));
    }
    pg.restart();
  }

  @Test
  void aFullRestartAfterACrashMidCallReplaysTheRefreshToken() throws Exception {
    try (EmbeddedPg pg = new EmbeddedPg(dir.resolve("pg"))) {
      JsonObject cfg = config(pg, PostgresOutageTest.newKey(), "replay");
      crashMidCall(pg, cfg);

      try (BrokerNode restarted = broker.start(cfg)) {
        Await.until("the replay to renew the token", Duration.ofSeconds(20),
            () -> restarted.store().cached(ACME).version() == 2);
        Token token = restarted.store().cached(ACME);
        assertEquals("r2", token.refreshToken().reveal());
        assertFalse(token.authorizationRequired());
        assertEquals("a2", restarted.request(Addresses.get("rightsignature"), ACME_BODY).getString("access_token"));
      }
    }
    assertEquals(List.of("r0", "r0"), provider.refreshTokensSent(PATH), "r0 replayed once after the restart");
  }

  @Test
  void aFullRestartAfterACrashMidCallWithLostAnswerReauthorizeNeverSendsTheRefreshTokenAgain() throws Exception {
    try (EmbeddedPg pg = new EmbeddedPg(dir.resolve("pg"))) {
      JsonObject cfg = config(pg, PostgresOutageTest.newKey(), "reauthorize");
      crashMidCall(pg, cfg);

      try (BrokerNode restarted = broker.start(cfg)) {
        Token loaded = restarted.store().cached(ACME);
        assertNotNull(loaded.unansweredSince(), "the call's intent was stored before it went out");
        Await.until("the account to need a new authorization", Duration.ofSeconds(20),
            () -> restarted.store().cached(ACME).authorizationRequired());
        Token token = restarted.store().cached(ACME);
        assertTrue(token.lastError().contains("was lost"), token.lastError());
        assertEquals("r0", token.refreshToken().reveal(), "nothing is deleted");
        assertEquals(401, restarted.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY).failureCode());
      }
    }
    assertEquals(List.of("r0"), provider.refreshTokensSent(PATH), "r0 went out once, before the crash");
  }
}
