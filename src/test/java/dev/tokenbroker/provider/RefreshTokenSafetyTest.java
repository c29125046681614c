package dev.tokenbroker.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.tokenbroker.bus.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RightSignature rotates refresh tokens: a refresh token must never be sent twice. */
class RefreshTokenSafetyTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  private ProviderDouble provider;
  private BrokerNode node;

  @BeforeEach
  void start() {
    provider = ProviderDouble.start();
    JsonObject rs = TestConfigs.rightsignature(provider.baseUrl()).put("timeout-seconds", 1);
    node = BrokerNode.start(TestConfigs.broker(new JsonObject().put("rightsignature", rs)));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"a0\",\"expires_in\":7200,\"refresh_token\":\"r0\"}")));
    Await.result(node.service().authorize(ACME, Secret.of("code"), null));
  }

  @AfterEach
  void stop() {
    node.close();
    provider.close();
  }

  @Test
  void concurrentRefreshesNeverSendARefreshTokenTwice() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withTransformers("response-template")
            .withFixedDelay(100)
            .withBody("{\"access_token\":\"a-{{randomValue length=8 type='ALPHANUMERIC'}}\",\"expires_in\":7200,"
                + "\"refresh_token\":\"r-{{randomValue length=8 type='ALPHANUMERIC'}}\"}")));
    for (int round = 0; round < 5; round++) {
      List<Future<Message<JsonObject>>> replies = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        replies.add(node.vertx.eventBus().request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme")));
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
  void aLostAnswerToARotatingRefreshIsNotRetriedWithTheOldToken() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("grant_type=refresh_token"))
        .willReturn(okJson("{\"access_token\":\"a1\",\"expires_in\":7200,\"refresh_token\":\"r1\"}").withFixedDelay(2500)));

    ReplyException first = node.requestFailure(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
    assertEquals(401, first.failureCode());
    assertTrue(new JsonObject(first.getMessage()).getString("error_description").contains("answer was lost"), first.getMessage());

    ReplyException again = node.requestFailure(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
    assertEquals(401, again.failureCode());
    assertEquals(List.of("r0"), provider.refreshTokensSent(PATH), "r0 went out once and is never sent again");
    Token stored = Await.result(node.service().store().load(ACME));
    assertTrue(stored.authorizationRequired());
    assertEquals("r0", stored.refreshToken().reveal(), "nothing is deleted");
    assertEquals("a0", node.request(Addresses.get("rightsignature"), new JsonObject().put("account", "acme")).getString("access_token"),
        "the still-valid access token keeps being served");
  }

  @Test
  void aConnectionResetAfterSendingIsTreatedAsALostAnswer() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("grant_type=refresh_token"))
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    ReplyException e = node.requestFailure(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
    assertEquals(401, e.failureCode());
    assertEquals(1, provider.refreshTokensSent(PATH).size());
  }

  @Test
  void aProviderErrorAnswerLeavesTheRefreshTokenUsable() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(503)));
    ReplyException e = node.requestFailure(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
    assertEquals(502, e.failureCode(), "the provider answered: the refresh token was not used up");
    Token stored = Await.result(node.service().store().load(ACME));
    assertEquals(false, stored.authorizationRequired());
    assertEquals("r0", stored.refreshToken().reveal());
  }

}
