package dev.tokenbroker.bus;

import dev.tokenbroker.wire.Addresses;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.SuiteReport;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** token.get and token.refresh over the event bus, against WireMock as eSignGlobal. */
class TokenGetTest {
  private static final String GET = Addresses.get("esignglobal");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private MutableClock clock;
  private BrokerNode node;

  @BeforeEach
  void start() {
    clock = MutableClock.startingNow();
    node = broker.start(TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()))), clock);
  }

  private void issueTokens(long expiresIn) {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withTransformers("response-template")
        .withBody("{\"access_token\":\"tok-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"expires_in\":" + expiresIn
            + ",\"token_type\":\"bearer\",\"scope\":\"read-write\"}")));
  }

  private int calls() {
    return provider.calls(ProviderDouble.ESIGNGLOBAL_PATH);
  }

  private static JsonObject error(ReplyException e) {
    return new JsonObject(e.getMessage());
  }

  @Test
  void hundredConcurrentGetsOnAColdCacheMakeOneProviderCall() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH))
        .willReturn(okJson(TestConfigs.tokenJson("shared", 86398)).withFixedDelay(300)));
    List<Future<Message<JsonObject>>> replies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      replies.add(node.vertx.eventBus().request(GET, null));
    }
    Await.result(Future.all(replies));

    assertEquals(1, calls());
    for (Future<Message<JsonObject>> r : replies) {
      assertEquals("shared", r.result().body().getString("access_token"));
    }
  }

  @Test
  void hitsAreServedFromTheCacheWithoutCallingTheProvider() {
    issueTokens(86398);
    String first = node.request(GET, null).getString("access_token");
    for (int i = 0; i < 20; i++) {
      assertEquals(first, node.request(GET, new JsonObject().put("min_validity", 600)).getString("access_token"));
    }
    assertEquals(1, calls());
  }

  @Test
  void anAgingTokenIsRenewedOnDemandAndNeverServedBelowTheMinimumValidity() {
    issueTokens(3600);
    JsonObject first = node.request(GET, null);
    clock.advance(Duration.ofSeconds(3560));
    JsonObject stillGood = node.request(GET, null);
    assertEquals(first.getString("access_token"), stillGood.getString("access_token"), "40 s left >= 30 s minimum");
    assertEquals(40L, stillGood.getLong("expires_in"));

    clock.advance(Duration.ofSeconds(11));
    JsonObject renewed = node.request(GET, null);
    assertNotEquals(first.getString("access_token"), renewed.getString("access_token"));
    assertEquals(2L, renewed.getLong("version"));
    assertEquals(2, calls());
  }

  @Test
  void minValidityAboveTheIssuedLifetimeIsABadRequest() {
    issueTokens(3600);
    node.request(GET, null);
    ReplyException e = node.requestFailure(GET, new JsonObject().put("min_validity", 3601));
    assertEquals(400, e.failureCode());
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, e.failureType());
    assertTrue(error(e).getString("error_description").contains("exceeds the lifetime"), e.getMessage());
    assertEquals(1, calls());
  }

  @Test
  void aRejectedVersionIsRotatedOnceHoweverManyCallersReportIt() {
    issueTokens(86398);
    JsonObject v1 = node.request(GET, null);
    assertEquals(1L, v1.getLong("version"));

    List<Future<Message<JsonObject>>> replies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      replies.add(node.vertx.eventBus().request(GET, new JsonObject().put("rejected_version", 1)));
    }
    Await.result(Future.all(replies));
    for (Future<Message<JsonObject>> r : replies) {
      assertEquals(2L, r.result().body().getLong("version"));
    }
    assertEquals(2, calls());

    JsonObject late = node.request(GET, new JsonObject().put("rejected_version", 1));
    assertEquals(2L, late.getLong("version"), "a newer version exists: no provider call");
    assertEquals(2, calls());
  }

  @Test
  void aRejectedVersionAboveTheCurrentOneNeverCausesARotation() {
    issueTokens(86398);
    assertEquals(1L, node.request(GET, null).getLong("version"));
    for (int i = 0; i < 3; i++) {
      JsonObject answer = node.request(GET, new JsonObject().put("rejected_version", 7));
      assertEquals(1L, answer.getLong("version"), "7 was never issued: the current token is the answer");
    }
    assertEquals(1, calls());
  }

  @Test
  void aRejectedVersionOnAFreshKeyIsAnsweredLikeAPlainGet() {
    issueTokens(86398);
    JsonObject first = node.request(GET, new JsonObject().put("rejected_version", 7));
    assertEquals(1L, first.getLong("version"));
    assertEquals(1, calls(), "one call for the missing token, none for the unknown version");
    JsonObject again = node.request(GET, new JsonObject().put("rejected_version", 7));
    assertEquals(first.getString("access_token"), again.getString("access_token"));
    assertEquals(1, calls());
  }

  @Test
  void aRejectedVersionEqualToTheCurrentOneRotatesAndALowerOneDoesNot() {
    issueTokens(86398);
    node.request(GET, null);
    node.request(Addresses.refresh("esignglobal"), null);
    assertEquals(2, calls());

    assertEquals(2L, node.request(GET, new JsonObject().put("rejected_version", 1)).getLong("version"), "below: no call");
    assertEquals(2, calls());
    assertEquals(3L, node.request(GET, new JsonObject().put("rejected_version", 2)).getLong("version"), "equal: rotated");
    assertEquals(3, calls());
    assertEquals(3L, node.request(GET, new JsonObject().put("rejected_version", 2)).getLong("version"), "reported again: no call");
    assertEquals(3, calls());
  }

  @Test
  void tokenRefreshForcesARotation() {
    issueTokens(86398);
    node.request(GET, null);
    JsonObject forced = node.request(Addresses.refresh("esignglobal"), new JsonObject());
    assertEquals(2L, forced.getLong("version"));
    assertEquals(2, calls());
  }

  @Test
  void rotationsArePublishedWithoutSecrets() {
    issueTokens(86398);
    List<JsonObject> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> events.add(m.body())).completion());
    String access = node.request(GET, null).getString("access_token");
    node.request(Addresses.refresh("esignglobal"), null);

    Await.until("two rotation events", Duration.ofSeconds(10), () -> events.size() == 2);
    assertEquals("on_demand", events.get(0).getString("reason"));
    assertEquals("forced", events.get(1).getString("reason"));
    assertEquals(java.util.Set.of("provider", "account", "version", "issued_at", "expires_at", "reason"), events.get(0).fieldNames());
    assertFalse(events.toString().contains(access));
  }

  @Test
  void badBodiesGetAClearBadRequest() {
    issueTokens(86398);
    Object[][] cases = {
        {"a string", "the body must be a JSON object or empty, got a string"},
        {new JsonArray().add(1), "the body must be a JSON object or empty, got an array"},
        {new JsonObject().put("account", 42), "account must be a string, got a non-integer or out-of-range number"},
        {new JsonObject().put("account", "../etc"), "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
        {new JsonObject().put("account", "has space"), "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
        {new JsonObject().put("account", "x".repeat(10_000)), "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
        {new JsonObject().put("min_validity", -1), "min_validity must not be negative"},
        {new JsonObject().put("min_validity", "60"), "min_validity must be a whole number of seconds, got a string"},
        {new JsonObject().put("min_validity", 1.5), "min_validity must be a whole number of seconds, got a non-integer or out-of-range number"},
        {new JsonObject().put("min_validity", 1e300), "min_validity must be a whole number of seconds, got a non-integer or out-of-range number"},
        {new JsonObject().put("rejected_version", true), "rejected_version must be a whole number of seconds, got a boolean"},
        {new JsonObject().put("minValidity", 60), "unknown field 'minValidity'; allowed: account, min_validity, rejected_version"},
        {new JsonObject().put("account", "caf\u00e9"), "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
        {new JsonObject().put("account", ""), "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
        {new JsonObject().put("account", new JsonObject()), "account must be a string, got an object"},
        {new JsonObject().put("min_validity", Long.MAX_VALUE), "min_validity is too large"},
        {new JsonObject().put("rejected_version", -3), "rejected_version must not be negative"},
        {42, "the body must be a JSON object or empty, got a non-integer or out-of-range number"},
    };
    for (Object[] c : cases) {
      SuiteReport.BAD_INPUTS.incrementAndGet();
      ReplyException e = node.requestFailure(GET, c[0]);
      assertEquals(400, e.failureCode(), String.valueOf(c[0]));
      assertEquals("invalid_request", error(e).getString("error"));
      assertEquals(c[1], error(e).getString("error_description"));
      SuiteReport.CLEAR_ERRORS.incrementAndGet();
    }
    assertEquals(0, calls(), "no bad request reaches the provider");
  }

  @Test
  void unknownProviderHasNoHandlers() {
    ReplyException e = Await.failure(node.vertx.eventBus().request(Addresses.get("nobody"), null,
        new DeliveryOptions().setSendTimeout(5000))) instanceof ReplyException re ? re : null;
    assertEquals(ReplyFailure.NO_HANDLERS, e.failureType());
  }

  @Test
  void providerErrorsMapToContractCodesAndKeepTheStoredToken() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).inScenario("s").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(TestConfigs.tokenJson("good", 3600))).willSetStateTo("broken"));
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).inScenario("s").whenScenarioStateIs("broken")
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody("{\"error\":\"invalid_client\",\"error_description\":\"bad secret\"}")));
    node.request(GET, null);
    ReplyException forced = node.requestFailure(Addresses.refresh("esignglobal"), null);
    assertEquals(502, forced.failureCode());
    assertTrue(error(forced).getString("error_description").contains("invalid_client"));

    assertEquals("good", node.request(GET, null).getString("access_token"), "the valid token is still served");
  }

  @Test
  void aProviderTimeoutIsUnavailableWithRetryAfter() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH))
        .willReturn(okJson(TestConfigs.tokenJson("slow", 3600)).withFixedDelay(4000)));
    ReplyException e = node.requestFailure(GET, null);
    assertEquals(503, e.failureCode());
    JsonObject body = error(e);
    assertEquals("provider_unavailable", body.getString("error"));
    assertTrue(body.getString("error_description").contains("timed out"), body.encode());
    assertTrue(body.getLong("retry_after") >= 1);

    ReplyException during = node.requestFailure(GET, null);
    assertEquals(503, during.failureCode());
    assertTrue(error(during).getString("error_description").startsWith("backing off after 1 failure(s)"), during.getMessage());
    assertEquals(1, calls(), "no second call while backing off");
  }
}
