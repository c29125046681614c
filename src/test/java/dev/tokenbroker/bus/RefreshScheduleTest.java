package dev.tokenbroker.bus;

import dev.tokenbroker.wire.Addresses;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The refresh verticle against real time with short lifetimes: renewal, backoff, Retry-After, invalid_grant. */
class RefreshScheduleTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private final List<JsonObject> rotated = new CopyOnWriteArrayList<>();
  private final List<JsonObject> failed = new CopyOnWriteArrayList<>();

  private void startBroker(JsonObject providers) {
    JsonObject config = TestConfigs.broker(providers);
    config.getJsonObject("refresh").put("min-validity-seconds", 0);
    node = broker.start(config);
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> rotated.add(m.body())).completion());
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.FAILED, m -> failed.add(m.body())).completion());
  }

  private void startEsignglobal() {
    startBroker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
  }

  private static long gapMillis(List<LoggedRequest> requests, int i) {
    return requests.get(i).getLoggedDate().getTime() - requests.get(i - 1).getLoggedDate().getTime();
  }

  @Test
  void renewsTheTokenBeforeItExpires() {
    // 30 s tokens: the skew is capped at a third of the lifetime, so the renewal is due at 20 s, 10 s before expiry
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withTransformers("response-template")
        .withBody("{\"access_token\":\"t-{{randomValue length=8 type='ALPHANUMERIC'}}\",\"expires_in\":30,\"token_type\":\"bearer\"}")));
    startEsignglobal();

    JsonObject first = node.request(Addresses.get("esignglobal"), null);
    Await.until("a scheduled rotation", Duration.ofSeconds(45), () -> rotated.stream().anyMatch(e -> "scheduled".equals(e.getString("reason"))));

    List<LoggedRequest> calls = provider.requests(PATH);
    Instant firstExpiry = Instant.ofEpochSecond(first.getLong("expires_at"));
    assertTrue(calls.get(1).getLoggedDate().toInstant().isBefore(firstExpiry),
        "renewed at " + calls.get(1).getLoggedDate().toInstant() + ", before " + firstExpiry);
    JsonObject second = node.request(Addresses.get("esignglobal"), null);
    assertTrue(second.getLong("version") >= 2);
  }

  /**
   * Timers never fire early, so only lower bounds are load-proof here: each retry comes no earlier
   * than the retry time the failure announced, and no earlier than the low end of a backoff that
   * doubles (0.5, 1, 2 s). The backoff's upper end is TokenPolicyTest's to check, without a clock.
   */
  @Test
  void failedRenewalsWaitForABackoffThatDoublesBeforeRetrying() {
    provider.stub(post(urlPathEqualTo(PATH)).inScenario("s").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(TestConfigs.tokenJson("t1", 3))).willSetStateTo("down"));
    provider.stub(post(urlPathEqualTo(PATH)).inScenario("s").whenScenarioStateIs("down")
        .willReturn(aResponse().withStatus(503).withBody("Service Unavailable")));
    startEsignglobal();
    node.request(Addresses.get("esignglobal"), null);

    Await.until("four failed renewals", Duration.ofSeconds(30), () -> provider.calls(PATH) >= 5 && failed.size() >= 4);

    List<LoggedRequest> calls = provider.requests(PATH);
    for (int failure = 1; failure <= 3; failure++) {
      // calls: 0 the first token, 1 the first failed renewal, failure + 1 the retry after it
      Instant retried = calls.get(failure + 1).getLoggedDate().toInstant();
      Instant announced = Instant.ofEpochSecond(failed.get(failure - 1).getLong("retry_at"));
      assertTrue(!retried.isBefore(announced), "retry " + failure + " at " + retried + ", announced for " + announced);
      long gap = gapMillis(calls, failure + 1);
      long lowEnd = 500L << (failure - 1);
      assertTrue(gap >= lowEnd - 100, "retry after failure " + failure + " waited " + gap + " ms, the backoff is at least " + lowEnd);
    }
    assertEquals("provider_error", failed.get(0).getString("error"));
    assertEquals(false, failed.get(0).getBoolean("authorization_required"));
  }

  @Test
  void rateLimitHonoursRetryAfter() {
    provider.stub(post(urlPathEqualTo(PATH)).inScenario("s").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(TestConfigs.tokenJson("t1", 3))).willSetStateTo("limited"));
    provider.stub(post(urlPathEqualTo(PATH)).inScenario("s").whenScenarioStateIs("limited")
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")).willSetStateTo("healed"));
    provider.stub(post(urlPathEqualTo(PATH)).inScenario("s").whenScenarioStateIs("healed")
        .willReturn(okJson(TestConfigs.tokenJson("t2", 3600))));
    startEsignglobal();
    node.request(Addresses.get("esignglobal"), null);

    Await.until("recovery after the rate limit", Duration.ofSeconds(20), () -> provider.calls(PATH) >= 3);

    long gap = gapMillis(provider.requests(PATH), 2);
    assertTrue(gap >= 2900, "waited " + gap + " ms, Retry-After said 3 s");
    assertEquals("rate_limited", failed.get(0).getString("error"));
    Await.until("the new token", Duration.ofSeconds(5), () -> "t2".equals(node.request(Addresses.get("esignglobal"), null).getString("access_token")));
  }

  @Test
  void invalidGrantStopsRetryingMarksTheAccountAndKeepsTheToken() {
    String rs = ProviderDouble.RIGHTSIGNATURE_PATH;
    provider.stub(post(urlPathEqualTo(rs)).inScenario("s").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson("{\"access_token\":\"a1\",\"expires_in\":3,\"refresh_token\":\"r1\"}")).willSetStateTo("revoked"));
    provider.stub(post(urlPathEqualTo(rs)).inScenario("s").whenScenarioStateIs("revoked")
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}")));
    startBroker(new JsonObject().put("rightsignature", TestConfigs.rightsignature(provider.baseUrl())));
    TokenKey carol = new TokenKey("rightsignature", "carol");
    Await.result(node.accounts().authorize(carol, Secret.of("code"), null));

    Await.until("token.failed", Duration.ofSeconds(15), () -> !failed.isEmpty());

    JsonObject event = failed.get(0);
    assertEquals("authorization_required", event.getString("error"));
    assertEquals(true, event.getBoolean("authorization_required"));
    Token stored = Await.result(node.store().load(carol));
    assertTrue(stored.authorizationRequired());
    assertEquals("r1", stored.refreshToken().reveal(), "a failure never deletes the refresh token");
    assertEquals("a1", stored.accessToken().reveal());

    Await.until("the access token to expire", Duration.ofSeconds(10), () -> !stored.expiresAt().isAfter(Instant.now()));
    ReplyException e = node.requestFailure(Addresses.get("rightsignature"), new JsonObject().put("account", "carol"));
    assertEquals(401, e.failureCode());
    assertEquals("authorization_required", new JsonObject(e.getMessage()).getString("error"));
    assertEquals(2, provider.calls(rs), "no retry with a rejected refresh token");
  }
}
