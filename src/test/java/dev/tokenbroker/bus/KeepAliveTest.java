package dev.tokenbroker.bus;

import dev.tokenbroker.wire.Addresses;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refresh tokens kept alive, against a provider double whose refresh tokens end after seconds (real
 * time): renewed before their end while the access token is still fresh, and, when renewing cannot
 * extend the end, {@code token.expiring} once and the account listed as {@code expiring}.
 */
class KeepAliveTest {
  private static final String PATH = "/oauth/token";
  private static final TokenKey KEY = new TokenKey("idle", "default");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private final List<JsonObject> rotated = new CopyOnWriteArrayList<>();
  private final List<JsonObject> expiring = new CopyOnWriteArrayList<>();

  private void startBroker(JsonObject providerConfig, long warningSeconds) {
    JsonObject config = TestConfigs.broker(new JsonObject().put("idle", providerConfig.put("token-url", provider.baseUrl() + PATH)
        .put("body", "form").put("client-id", TestConfigs.CLIENT_ID).put("client-secret", TestConfigs.CLIENT_SECRET)
        .put("timeout-seconds", 10)));
    config.getJsonObject("refresh").put("expiring-warning-seconds", warningSeconds);
    node = broker.start(config);
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> rotated.add(m.body())).completion());
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.EXPIRING, m -> expiring.add(m.body())).completion());
  }

  /** Access tokens valid an hour; refresh tokens as {@code refreshAnswer} says. */
  private void answer(String grant, String refreshAnswer) {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=" + grant)).willReturn(aResponse()
        .withStatus(200).withHeader("Content-Type", "application/json").withTransformers("response-template")
        .withBody("{\"access_token\":\"a-{{randomValue length=10 type='ALPHANUMERIC'}}\",\"expires_in\":3600,"
            + "\"token_type\":\"bearer\"" + refreshAnswer + "}")));
  }

  private List<Map<String, String>> refreshGrants() {
    return provider.requests(PATH).stream().map(ProviderDouble::params).filter(p -> "refresh_token".equals(p.get("grant_type"))).toList();
  }

  @Test
  void anIdleAccountsRefreshTokenIsRenewedBeforeItEndsWhileItsAccessTokenIsFresh() {
    String rotating = ",\"refresh_token\":\"r-{{randomValue length=10 type='ALPHANUMERIC'}}\",\"refresh_token_expires_in\":8";
    answer("client_credentials", rotating);
    answer("refresh_token", rotating);
    startBroker(new JsonObject(), 604800);

    node.request(Addresses.get("idle"), null);
    Token first = node.store().cached(KEY);

    Await.until("two keep-alive renewals", Duration.ofSeconds(30), () -> refreshGrants().size() >= 2);
    List<LoggedRequest> calls = provider.requests(PATH);
    Instant firstRenewal = calls.get(1).getLoggedDate().toInstant();
    assertEquals(first.refreshToken().reveal(), refreshGrants().get(0).get("refresh_token"), "renewed with the first refresh token");
    assertTrue(firstRenewal.isBefore(first.refreshExpiresAt()), "renewed at " + firstRenewal + ", before its end " + first.refreshExpiresAt());
    assertTrue(first.expiresAt().isAfter(firstRenewal.plusSeconds(3000)), "while the access token had most of its hour left");
    assertTrue(rotated.stream().anyMatch(e -> "scheduled".equals(e.getString("reason")) && e.getLong("version") == 2L));
    Token later = node.store().cached(KEY);
    assertTrue(later.refreshExpiresAt().isAfter(first.refreshExpiresAt()), "each renewal moved the end");
    assertTrue(expiring.isEmpty(), "a refresh token that renewing extends is never announced as expiring");
  }

  @Test
  void aRefreshTokenRenewingCannotExtendIsAnnouncedOnceAndListedAsExpiring() {
    // refresh tokens live 6 s by configuration; a refresh answers without a new refresh token (eSignGlobal's way)
    answer("client_credentials", ",\"refresh_token\":\"r-only\"");
    answer("refresh_token", "");
    startBroker(new JsonObject().put("refresh-token-lifetime-seconds", 6), 4);

    node.request(Addresses.get("idle"), null);
    Token first = node.store().cached(KEY);
    Await.until("token.expiring", Duration.ofSeconds(15), () -> !expiring.isEmpty());

    assertEquals(1, refreshGrants().size(), "one keep-alive renewal found out the end cannot move");
    assertEquals(new JsonObject().put("provider", "idle").put("account", "default")
        .put("refresh_expires_at", first.refreshExpiresAt().getEpochSecond()), expiring.get(0));
    Http http = broker.http(node);
    JsonObject row = http.get("/v1/tokens?state=expiring").bodyAsJsonArray().getJsonObject(0);
    assertEquals("idle", row.getString("provider"));
    assertEquals(first.refreshExpiresAt().getEpochSecond(), row.getLong("refresh_expires_at"));

    assertEquals(200, http.post("/v1/tokens/idle/refresh").statusCode(), "a rotation that keeps the refresh token");
    Await.until("the refresh token's end has passed", Duration.ofSeconds(15), () -> Instant.now().isAfter(first.refreshExpiresAt()));
    assertEquals(1, expiring.size(), "announced once, whatever rotations come after");
    assertEquals(2, refreshGrants().size(), "no more keep-alive renewals once the end is known to be fixed");
  }
}
