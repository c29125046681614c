package dev.tokenbroker.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Java client against a broker in this JVM (WireMock as eSignGlobal and RightSignature). */
class TokenClientTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;

  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private BusRequests bus;
  private MutableClock clientClock;
  private TokenClient client;

  @BeforeEach
  void start() {
    JsonObject acme = new JsonObject().put("client-id", "acme-id").put("client-secret", "acme-secret");
    node = broker.start(TestConfigs.broker(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()).put("accounts", new JsonObject().put("acme", acme)))
        .put("rightsignature", TestConfigs.rightsignature(provider.baseUrl()))), MutableClock.startingNow());
    bus = BusRequests.record(node.vertx);
    clientClock = MutableClock.startingNow();
    client = TokenClient.create(node.vertx, new TokenClientOptions().setClock(clientClock));
    broker.closeBeforeNodes("the token client", () -> Await.result(client.close()));
  }

  private void issueTokens(long expiresIn, int delayMillis) {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withTransformers("response-template").withFixedDelay(delayMillis)
        .withBody("{\"access_token\":\"tok-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"expires_in\":" + expiresIn
            + ",\"token_type\":\"bearer\"}")));
  }

  private static TokenBrokerException failure(Future<?> future) {
    return assertInstanceOf(TokenBrokerException.class, Await.failure(future));
  }

  @Test
  void cachedTokenIsAnsweredWithoutABusRequest() {
    issueTokens(3600, 0);
    AccessToken first = Await.result(client.get("esignglobal"));
    for (int i = 0; i < 10_000; i++) {
      assertSame(first, Await.result(client.get("esignglobal")));
    }
    assertEquals(1, bus.gets());
    assertEquals(1, provider.calls(PATH));
    assertEquals(1, first.version());
    assertEquals("default", first.account());
    assertFalse(first.toString().contains(first.value()), "toString must not show the token");
  }

  @Test
  void rotationEventInvalidatesTheCachedToken() {
    issueTokens(3600, 0);
    List<TokenRotated> events = new CopyOnWriteArrayList<>();
    client.onRotated(events::add);
    AccessToken first = Await.result(client.get("esignglobal"));
    Await.until("token.rotated v1", Duration.ofSeconds(10), () -> events.size() == 1);

    node.request("token.refresh.esignglobal", null);  // another node or service forces a rotation
    Await.until("token.rotated v2", Duration.ofSeconds(10), () -> events.size() == 2);
    assertEquals(2, events.get(1).version());

    AccessToken second = Await.result(client.get("esignglobal"));
    assertEquals(2, second.version());
    assertNotEquals(first.value(), second.value());
    assertEquals(2, bus.gets());
    assertSame(second, Await.result(client.get("esignglobal")));
    assertEquals(2, bus.gets());
  }

  @Test
  void tokenWithinMinimumValidityOfExpiryIsAskedForAgain() {
    issueTokens(3600, 0);
    Await.result(client.get("esignglobal"));
    clientClock.advance(Duration.ofSeconds(3600 - 60));
    Await.result(client.get("esignglobal"));
    assertEquals(1, bus.gets(), "60 s left is more than the 30 s minimum validity");
    clientClock.advance(Duration.ofSeconds(31));
    Await.result(client.get("esignglobal"));
    assertEquals(2, bus.gets());
  }

  @Test
  void concurrentMissesShareOneBusRequest() {
    issueTokens(3600, 300);
    List<Future<AccessToken>> gets = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      gets.add(client.get("esignglobal"));
    }
    Await.result(Future.all(gets));
    assertEquals(1, bus.gets());
    assertEquals(1, gets.stream().map(f -> f.result().value()).distinct().count());
    assertEquals(1, provider.calls(PATH));
  }

  @Test
  void accountsAreCachedApart() {
    issueTokens(3600, 0);
    AccessToken acme = Await.result(client.get("esignglobal", "acme"));
    AccessToken byDefault = Await.result(client.get("esignglobal"));
    assertEquals("acme", acme.account());
    assertNotEquals(acme.value(), byDefault.value());
    Await.result(client.get("esignglobal", "acme"));
    assertEquals(2, bus.gets());
  }

  @Test
  void defaultAccountComesFromTheOptions() {
    issueTokens(3600, 0);
    TokenClient acmeClient = TokenClient.create(node.vertx, new TokenClientOptions().setDefaultAccount("acme"));
    assertEquals("acme", Await.result(acmeClient.get("esignglobal")).account());
    Await.result(acmeClient.close());
  }

  @Test
  void refreshRotatesAndTheCacheKeepsTheNewToken() {
    issueTokens(3600, 0);
    AccessToken first = Await.result(client.get("esignglobal"));
    AccessToken forced = Await.result(client.refresh("esignglobal"));
    assertEquals(first.version() + 1, forced.version());
    assertEquals(forced.value(), Await.result(client.get("esignglobal")).value());
    assertEquals(1, bus.gets());
    assertEquals(1, bus.refreshes());
  }

  @Test
  void rejectedTokenIsRotatedOnceAndANewerOneIsAnsweredFromTheCache() {
    issueTokens(3600, 0);
    AccessToken first = Await.result(client.get("esignglobal"));
    AccessToken second = Await.result(client.rejected(first));
    assertEquals(2, second.version());
    assertEquals(List.of(1L), bus.rejectedVersions());
    assertEquals(2, provider.calls(PATH));

    assertEquals(second.value(), Await.result(client.rejected(first)).value(), "v1 was already replaced");
    assertEquals(List.of(1L), bus.rejectedVersions());
  }

  @Test
  void unknownProviderFailsWith404() {
    TokenBrokerException e = failure(client.get("nosuch"));
    assertEquals(404, e.code());
    assertEquals(TokenBrokerException.UNKNOWN_PROVIDER, e.error());
    assertTrue(e.description().contains("token.get.nosuch"), e.description());
  }

  @Test
  void unknownAccountFailsWith404AndTheBrokersDescription() {
    TokenBrokerException e = failure(client.get("esignglobal", "stranger"));
    assertEquals(404, e.code());
    assertEquals(TokenBrokerException.UNKNOWN_ACCOUNT, e.error());
    assertTrue(e.description().contains("providers.esignglobal.accounts"), e.description());
    assertEquals(0, provider.calls(PATH));
  }

  @Test
  void accountNeverAuthorizedFailsWith401() {
    TokenBrokerException e = failure(client.get("rightsignature", "newcomer"));
    assertEquals(401, e.code());
    assertEquals(TokenBrokerException.AUTHORIZATION_REQUIRED, e.error());
  }

  @Test
  void rateLimitedProviderGivesRetryAfter() {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));
    TokenBrokerException e = failure(client.get("esignglobal"));
    assertEquals(429, e.code());
    assertEquals(TokenBrokerException.RATE_LIMITED, e.error());
    assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
  }

  @Test
  void silentBrokerFailsWithATimeout() {
    node.vertx.eventBus().consumer("token.get.silent", message -> { });
    TokenClient impatient = TokenClient.create(node.vertx, new TokenClientOptions().setRequestTimeout(Duration.ofMillis(200)));
    TokenBrokerException e = failure(impatient.get("silent"));
    assertEquals(504, e.code());
    assertEquals(TokenBrokerException.BROKER_TIMEOUT, e.error());
    Await.result(impatient.close());
  }

  @Test
  void failuresAreNotCached() {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
    failure(client.get("esignglobal"));
    failure(client.get("esignglobal"));
    assertEquals(2, bus.gets(), "every get after a failure asks the broker again");
  }
}
