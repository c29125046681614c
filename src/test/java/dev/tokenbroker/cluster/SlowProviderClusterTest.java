package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A RightSignature-style provider (rotating refresh tokens) that processes a refresh and then
 * sends its answer a little at a time, for far longer than {@code timeout-seconds}: the broker's
 * call ends at its deadline, no node sends that refresh token while the call may still be in
 * flight, however often the other node is asked to refresh meanwhile, and afterwards exactly one
 * replay renews the token.
 */
class SlowProviderClusterTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  private static final JsonObject ACME_BODY = new JsonObject().put("account", "acme");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private List<BrokerNode> nodes;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"a-1\",\"expires_in\":7200,\"refresh_token\":\"r-1\"}")));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=r-1"))
        .inScenario("r-1").whenScenarioStateIs(STARTED).willSetStateTo("answered slowly")
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody("{\"access_token\":\"a-2\",\"expires_in\":7200,\"refresh_token\":\"r-2\"}")
            .withChunkedDribbleDelay(40, 40_000)));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=r-1"))
        .inScenario("r-1").whenScenarioStateIs("answered slowly")
        .willReturn(okJson("{\"access_token\":\"a-3\",\"expires_in\":7200,\"refresh_token\":\"r-3\"}")));
    JsonObject config = TestConfigs.broker(new JsonObject().put("rightsignature", TestConfigs.rightsignature(provider.baseUrl())));
    nodes = broker.startCluster(2, i -> config);
  }

  @Test
  void aRefreshTokenIsNeverSentWhileAnEarlierCallWithItMayBeInFlightAndIsReplayedOnceAfter() {
    BrokerNode a = nodes.get(0);
    BrokerNode b = nodes.get(1);
    Await.result(a.accounts().authorize(ACME, Secret.of("code"), null));
    Await.until("node B's copy", Duration.ofSeconds(10), () -> b.store().cached(ACME) != null);
    DeliveryOptions patient = new DeliveryOptions().setSendTimeout(60_000);

    long started = System.nanoTime();
    Future<Message<JsonObject>> first = a.vertx.eventBus().request(Addresses.refresh("rightsignature"), ACME_BODY, patient);
    Await.until("the refresh reached the provider", Duration.ofSeconds(10), () -> provider.refreshTokensSent(PATH).size() == 1);
    List<Future<Message<JsonObject>>> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      others.add(b.vertx.eventBus().request(Addresses.refresh("rightsignature"), ACME_BODY, patient));
    }

    Throwable failure = Await.failure(first);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, ((ReplyException) failure).failureCode(), "a lost answer: try again");
    assertTrue(new JsonObject(failure.getMessage()).getString("error_description").contains("was lost"), failure.getMessage());
    assertTrue(tookMillis < 20_000, "the call ended at its 2 s deadline, not with the 40 s answer (" + tookMillis + " ms)");
    for (Future<Message<JsonObject>> other : others) {
      Await.until("node B's refresh to end", Duration.ofSeconds(60), other::isComplete);
      assertTrue(other.succeeded() || ((ReplyException) other.cause()).failureCode() == 503,
          "nobody is asked for a new authorization: " + other.cause());
    }
    Await.until("the replay to renew the token on both nodes", Duration.ofSeconds(30),
        () -> a.store().cached(ACME).version() == 2 && b.store().cached(ACME).version() == 2);

    List<LoggedRequest> sent = provider.requests(PATH).stream()
        .filter(r -> "refresh_token".equals(ProviderDouble.params(r).get("grant_type"))).toList();
    assertEquals(List.of("r-1", "r-1"), sent.stream().map(r -> ProviderDouble.params(r).get("refresh_token")).toList(),
        "r-1 was sent once, then replayed once, by one node at a time");
    long gap = sent.get(1).getLoggedDate().getTime() - sent.get(0).getLoggedDate().getTime();
    assertTrue(gap >= 2000, "the replay came after the first call's 2 s deadline had ended it (" + gap + " ms)");
    assertEquals("a-3", b.request(Addresses.get("rightsignature"), ACME_BODY).getString("access_token"));
    assertFalse(b.store().cached(ACME).authorizationRequired());
  }
}
