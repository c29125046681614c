package dev.tokenbroker.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
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
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RightSignature rotates refresh tokens: a refresh token is never sent while an earlier call with it
 * may be in flight, never after its answer arrived, and after a lost answer it is replayed
 * ({@code lost-answer: replay}, the default) or never sent again ({@code reauthorize}).
 */
class RefreshTokenSafetyTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  private static final JsonObject ACME_BODY = new JsonObject().put("account", "acme");
  private static final String REFRESH_WITH_R0 = "refresh_token=r0";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private final List<JsonObject> recovered = new CopyOnWriteArrayList<>();
  private final List<JsonObject> failed = new CopyOnWriteArrayList<>();

  /** A node whose rightsignature account acme holds a0 / r0; {@code lostAnswer} null: the default. */
  private void start(String lostAnswer) {
    JsonObject rs = TestConfigs.rightsignature(provider.baseUrl()).put("timeout-seconds", 1);
    if (lostAnswer != null) {
      rs.put("lost-answer", lostAnswer);
    }
    node = broker.start(TestConfigs.broker(new JsonObject().put("rightsignature", rs)));
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.RECOVERED, m -> recovered.add(m.body())).completion());
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.FAILED, m -> failed.add(m.body())).completion());
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"a0\",\"expires_in\":7200,\"refresh_token\":\"r0\"}")));
    Await.result(node.accounts().authorize(ACME, Secret.of("code"), null));
  }

  /** The first refresh with r0 gets {@code first}, every later one {@code then}. */
  private void stubRefreshOfR0(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing(REFRESH_WITH_R0))
        .inScenario("r0").whenScenarioStateIs(STARTED).willSetStateTo("sent once").willReturn(first));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing(REFRESH_WITH_R0))
        .inScenario("r0").whenScenarioStateIs("sent once").willReturn(then));
  }

  private static ResponseDefinitionBuilder reset() {
    return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
  }

  private static ResponseDefinitionBuilder rotatedToR1() {
    return okJson("{\"access_token\":\"a1\",\"expires_in\":7200,\"refresh_token\":\"r1\"}");
  }

  private static ResponseDefinitionBuilder invalidGrant() {
    return aResponse().withStatus(400).withHeader("Content-Type", "application/json")
        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"The refresh token is invalid\"}");
  }

  private Token stored() {
    return Await.result(node.store().load(ACME));
  }

  private long millisBetweenCalls(int first, int second) {
    List<LoggedRequest> calls = provider.requests(PATH).stream()
        .filter(r -> "refresh_token".equals(ProviderDouble.params(r).get("grant_type"))).toList();
    return calls.get(second).getLoggedDate().getTime() - calls.get(first).getLoggedDate().getTime();
  }

  @Test
  void concurrentRefreshesNeverSendARefreshTokenTwice() {
    start(null);
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withTransformers("response-template")
            .withFixedDelay(100)
            .withBody("{\"access_token\":\"a-{{randomValue length=8 type='ALPHANUMERIC'}}\",\"expires_in\":7200,"
                + "\"refresh_token\":\"r-{{randomValue length=8 type='ALPHANUMERIC'}}\"}")));
    for (int round = 0; round < 5; round++) {
      List<Future<Message<JsonObject>>> replies = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        replies.add(node.vertx.eventBus().request(Addresses.refresh("rightsignature"), ACME_BODY));
      }
      Await.result(Future.all(replies));
    }
    List<String> sent = provider.refreshTokensSent(PATH);
    Set<String> distinct = new HashSet<>(sent);
    assertEquals(sent.size(), distinct.size(), "a refresh token was sent twice: " + sent);
    assertTrue(sent.size() >= 5 && sent.size() <= 100);
    assertEquals("r0", sent.get(0));
  }

  @Test
  void aLostAnswerIsReplayedPromptly() {
    start(null);
    stubRefreshOfR0(reset(), rotatedToR1());

    ReplyException lost = node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    assertEquals(503, lost.failureCode(), "the answer was lost: try again, nobody needs to authorize");
    assertTrue(lost.getMessage().contains("was lost") && lost.getMessage().contains("sent again"), lost.getMessage());

    Await.until("the replay to rotate the token", Duration.ofSeconds(10), () -> stored().version() == 2);
    assertEquals(List.of("r0", "r0"), provider.refreshTokensSent(PATH), "the same refresh token, sent once more");
    long gap = millisBetweenCalls(0, 1);
    assertTrue(gap >= 1000 && gap <= 6000, "replayed within seconds of the lost answer, after its call was closed: " + gap + " ms");
    Token token = stored();
    assertEquals("r1", token.refreshToken().reveal());
    assertFalse(token.authorizationRequired());
    assertEquals(null, token.unansweredSince());
    Await.until("token.recovered", Duration.ofSeconds(5), () -> !recovered.isEmpty());
    assertTrue(recovered.get(0).getLong("lost_answer_at") != null, "token.recovered names the lost answer: " + recovered.get(0));
    assertEquals("a1", node.request(Addresses.get("rightsignature"), ACME_BODY).getString("access_token"));
  }

  @Test
  void aTokenWhoseAnswerArrivedIsNeverSentAgain() {
    start(null);
    stubRefreshOfR0(reset(), rotatedToR1());
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=r1"))
        .willReturn(okJson("{\"access_token\":\"a2\",\"expires_in\":7200,\"refresh_token\":\"r2\"}")));
    node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    Await.until("the replay to rotate the token", Duration.ofSeconds(10), () -> stored().version() == 2);

    for (int i = 0; i < 3; i++) {
      node.request(Addresses.get("rightsignature"), new JsonObject().put("account", "acme").put("rejected_version", 2));
      node.request(Addresses.get("rightsignature"), ACME_BODY);
    }

    assertEquals(List.of("r0", "r0", "r1"), provider.refreshTokensSent(PATH),
        "r0 answered (by the replay) and r1 answered are never sent again");
    assertEquals(3, stored().version());
  }

  @Test
  void aRefusedReplayEndsInAuthorizationRequiredWithTheLostAnswerNamed() {
    start(null);
    stubRefreshOfR0(reset(), invalidGrant());

    node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    Await.until("the replay to be refused", Duration.ofSeconds(10), () -> stored().authorizationRequired());

    assertEquals(List.of("r0", "r0"), provider.refreshTokensSent(PATH), "one refused replay, then nothing");
    Token token = stored();
    assertTrue(token.lastError().contains("was lost and the provider refused the replay"), token.lastError());
    assertEquals("r0", token.refreshToken().reveal(), "nothing is deleted");
    JsonObject event = failed.get(failed.size() - 1);
    assertTrue(event.getBoolean("authorization_required"));
    assertTrue(event.getString("error_description").contains("was lost and the provider refused the replay"), event.encode());
    ReplyException again = node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    assertEquals(401, again.failureCode());
    assertEquals(2, provider.refreshTokensSent(PATH).size());
  }

  @Test
  void withLostAnswerReauthorizeALostAnswerIsNeverSentAgain() {
    start("reauthorize");
    stubRefreshOfR0(okJson("{\"access_token\":\"a1\",\"expires_in\":7200,\"refresh_token\":\"r1\"}").withFixedDelay(2500),
        rotatedToR1());

    ReplyException first = node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    assertEquals(401, first.failureCode());
    assertTrue(new JsonObject(first.getMessage()).getString("error_description").contains("was lost"), first.getMessage());

    ReplyException again = node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    assertEquals(401, again.failureCode());
    assertEquals(List.of("r0"), provider.refreshTokensSent(PATH), "r0 went out once and is never sent again");
    Token stored = stored();
    assertTrue(stored.authorizationRequired());
    assertEquals("r0", stored.refreshToken().reveal(), "nothing is deleted");
    assertEquals("a0", node.request(Addresses.get("rightsignature"), ACME_BODY).getString("access_token"),
        "the still-valid access token keeps being served");
  }

  @Test
  void aProviderErrorAnswerLeavesTheRefreshTokenUsable() {
    start(null);
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(503)));
    ReplyException e = node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
    assertEquals(502, e.failureCode(), "the provider answered: the refresh token was not used up");
    Token stored = stored();
    assertEquals(false, stored.authorizationRequired());
    assertEquals("r0", stored.refreshToken().reveal());
    assertEquals(null, stored.unansweredSince(), "an answer leaves no mark of an unanswered call");
  }
}
