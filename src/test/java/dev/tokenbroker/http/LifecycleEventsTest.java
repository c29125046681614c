package dev.tokenbroker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.SockJs;
import dev.tokenbroker.support.SseStream;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code token.recovered} and {@code token.expiring}: on the bus and on SSE, each filtered by the key's scope. */
class LifecycleEventsTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  /** actions [events], accounts [acme-*] */
  private static final String ACME_EVENTS = "acme-events-key";
  private final MutableClock clock = MutableClock.startingNow();
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;
  private final List<JsonObject> recovered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    ok();
    JsonObject accounts = new JsonObject();
    for (String a : List.of("acme-1", "other-1")) {
      accounts.put(a, new JsonObject().put("client-id", "id-" + a).put("client-secret", "s-" + a));
    }
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal",
        TestConfigs.esignglobal(provider.baseUrl()).put("accounts", accounts).put("timeout-seconds", 10)));
    // backoffs long enough that the refresh timer never retries during the test; the test's clock moves past them
    config.getJsonObject("refresh").put("retry-initial-seconds", 120);
    config.getJsonObject("http").getJsonArray("api-keys").add(new JsonObject().put("name", "acme-events")
        .put("sha256", Secret.sha256Hex(ACME_EVENTS)).put("actions", new JsonArray().add("events"))
        .put("accounts", new JsonArray().add("acme-*")));
    node = broker.start(config, clock);
    http = broker.http(node);
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.RECOVERED, m -> recovered.add(m.body())).completion());
  }

  private void ok() {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withTransformers("response-template")
        .withBody("{\"access_token\":\"secret-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"expires_in\":3600,\"token_type\":\"bearer\"}")));
  }

  private void failTwice(String account) {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(500)));
    for (int i = 0; i < 2; i++) {
      assertEquals(502, http.post("/v1/tokens/esignglobal/refresh?account=" + account).statusCode());
      clock.advance(Duration.ofMinutes(10)); // past the backoff
    }
    ok();
  }

  @Test
  void theFirstRotationAfterFailuresPublishesTokenRecoveredOnceWithTheFailureCount() {
    assertEquals(200, http.get("/v1/tokens/esignglobal?account=acme-1").statusCode());
    failTwice("acme-1");
    int callsBefore = provider.calls(PATH);

    assertEquals(2L, http.post("/v1/tokens/esignglobal/refresh?account=acme-1").bodyAsJsonObject().getLong("version"));
    assertEquals(3L, http.post("/v1/tokens/esignglobal/refresh?account=acme-1").bodyAsJsonObject().getLong("version"));

    Await.until("token.recovered", Duration.ofSeconds(10), () -> !recovered.isEmpty());
    assertEquals(callsBefore + 2, provider.calls(PATH));
    assertEquals(List.of(new JsonObject().put("provider", "esignglobal").put("account", "acme-1").put("version", 2L).put("failures", 2)),
        recovered, "once, for the first success after the failures, with the count");
    JsonObject row = http.get("/v1/tokens?account=acme-1").bodyAsJsonArray().getJsonObject(0);
    assertEquals("valid", row.getString("state"));
    assertEquals(0, row.getInteger("failures"));
  }

  @Test
  void aRotationWithoutFailuresBeforeItPublishesNoTokenRecovered() {
    assertEquals(200, http.get("/v1/tokens/esignglobal?account=acme-1").statusCode());
    assertEquals(200, http.post("/v1/tokens/esignglobal/refresh?account=acme-1").statusCode());
    SseStream all = broker.events(node, TestConfigs.API_KEY);
    assertEquals(200, http.post("/v1/tokens/esignglobal/refresh?account=acme-1").statusCode());
    Await.until("the rotation on the stream", Duration.ofSeconds(10), () -> all.events("token.rotated").size() == 1);
    assertTrue(recovered.isEmpty());
    assertTrue(all.events("token.recovered").isEmpty());
    all.close();
  }

  @Test
  void theEventStreamCarriesRecoveredAndExpiringEventsOnlyWithinTheKeysScope() {
    SseStream scoped = broker.events(node, ACME_EVENTS);
    SseStream all = broker.events(node, TestConfigs.API_KEY);
    for (String account : List.of("other-1", "acme-1")) {
      assertEquals(200, http.get("/v1/tokens/esignglobal?account=" + account).statusCode());
      failTwice(account);
      assertEquals(200, http.post("/v1/tokens/esignglobal/refresh?account=" + account).statusCode());
    }
    for (String account : List.of("other-1", "acme-1")) {
      node.vertx.eventBus().publish(Addresses.EXPIRING, new JsonObject().put("provider", "esignglobal").put("account", account)
          .put("refresh_expires_at", 1_900_000_000L));
    }

    Await.until("both streams have every event", Duration.ofSeconds(10), () -> all.events("token.recovered").size() == 2
        && all.events("token.expiring").size() == 2 && scoped.events("token.expiring").size() == 1);
    assertEquals(List.of("acme-1"), scoped.events("token.recovered").stream().map(e -> e.getString("account")).toList());
    assertEquals(List.of("acme-1"), scoped.events("token.expiring").stream().map(e -> e.getString("account")).toList());
    assertEquals(List.of("other-1", "acme-1"), all.events("token.recovered").stream().map(e -> e.getString("account")).toList());
    assertFalse(all.raw().contains("secret-"), "no token in any event");
    scoped.close();
    all.close();
  }

  @Test
  void theSockJsBridgeDeliversRecoveredAndExpiringEventsOnlyWithinTheKeysScope() {
    try (SockJs bus = broker.sockJs(node)) {
      bus.register(Addresses.RECOVERED, ACME_EVENTS);
      bus.register(Addresses.EXPIRING, ACME_EVENTS);
      // the subscriptions take effect asynchronously: publish until one arrives
      Await.until("the subscription to take effect", Duration.ofSeconds(10), () -> {
        node.vertx.eventBus().publish(Addresses.EXPIRING, new JsonObject().put("provider", "esignglobal").put("account", "other-1")
            .put("refresh_expires_at", 1_900_000_000L));
        node.vertx.eventBus().publish(Addresses.EXPIRING, new JsonObject().put("provider", "esignglobal").put("account", "acme-1")
            .put("refresh_expires_at", 1_900_000_000L));
        return bus.frames.stream().anyMatch(f -> Addresses.EXPIRING.equals(f.getString("address")));
      });
      assertEquals(200, http.get("/v1/tokens/esignglobal?account=acme-1").statusCode());
      failTwice("acme-1");
      assertEquals(200, http.post("/v1/tokens/esignglobal/refresh?account=acme-1").statusCode());

      JsonObject recoveredFrame = bus.await("token.recovered", f -> Addresses.RECOVERED.equals(f.getString("address")));
      assertEquals("acme-1", recoveredFrame.getJsonObject("body").getString("account"));
      assertTrue(bus.frames.stream().filter(f -> f.getString("address") != null && f.getString("address").startsWith("token."))
          .allMatch(f -> "acme-1".equals(f.getJsonObject("body").getString("account"))), "nothing about other-1: " + bus.frames);
    }
  }
}
