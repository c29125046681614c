package dev.tokenbroker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.config.ConfigLoader;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.SockJs;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys narrowed by providers, account patterns and actions, over HTTP, SSE and SockJS: a
 * request outside a key's scope is refused with 403 before anything happens (no provider call,
 * the stored token unchanged), and events reach a key only for its providers and accounts.
 */
class ScopedApiKeyTest {
  private static final String OTHER_PATH = "/other/token";
  private static final String ESG_PATH = ProviderDouble.ESIGNGLOBAL_PATH;

  /** Every action (the test configuration's key). */
  private static final String ADMIN = TestConfigs.API_KEY;
  /** No providers, accounts or actions listed: every provider and account, every action but admin. */
  private static final String DEFAULTS = "key-with-default-actions";
  private static final String ESIGNGLOBAL_ONLY = "key-for-esignglobal-only";
  /** accounts: [acme-*, team-?] */
  private static final String ACME = "key-for-acme-and-team-accounts";
  private static final String READ_ONLY = "key-that-only-reads";
  private static final String REFRESH_ONLY = "key-that-only-refreshes";
  /** actions: [events], providers: [esignglobal], accounts: [acme-*] */
  private static final String ACME_EVENTS = "key-for-acme-events-of-esignglobal";
  /** actions: [admin], providers: [other] */
  private static final String OTHER_ADMIN = "admin-key-of-other-only";

  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;

  @BeforeEach
  void start() {
    provider.stubLifetimes(ESG_PATH, 3600);
    provider.stubLifetimes(OTHER_PATH, 3600);
    // the accounts a client_credentials provider serves besides default, each with its own client
    JsonObject accounts = new JsonObject();
    for (String account : List.of("acme-1", "acme-22", "team-1", "team-12", "xacme-1")) {
      accounts.put(account, new JsonObject().put("client-id", "client-" + account).put("client-secret", "secret-" + account));
    }
    JsonObject providers = new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()).put("accounts", accounts))
        .put("other", new JsonObject().put("token-url", provider.baseUrl() + OTHER_PATH).put("body", "form")
            .put("client-id", TestConfigs.CLIENT_ID).put("client-secret", TestConfigs.CLIENT_SECRET).put("timeout-seconds", 2)
            .put("accounts", new JsonObject().put("acme-1", new JsonObject().put("client-id", "o-1").put("client-secret", "o-s"))))
        .put("rightsignature", TestConfigs.rightsignature(provider.baseUrl()));
    JsonObject config = TestConfigs.broker(providers);
    config.getJsonObject("http").getJsonArray("api-keys")
        .add(key("defaults", DEFAULTS))
        .add(key("esignglobal-only", ESIGNGLOBAL_ONLY).put("providers", list("esignglobal")))
        .add(key("acme", ACME).put("accounts", list("acme-*", "team-?")))
        .add(key("read-only", READ_ONLY).put("actions", list("read")))
        .add(key("refresh-only", REFRESH_ONLY).put("actions", list("refresh")))
        .add(key("acme-events", ACME_EVENTS).put("actions", list("events")).put("providers", list("esignglobal"))
            .put("accounts", list("acme-*")))
        .add(key("other-admin", OTHER_ADMIN).put("actions", list("admin")).put("providers", list("other")));
    node = broker.start(config);
    http = broker.http(node);
  }

  /** The key accepted on a kept-alive connection is remembered for that connection only while the header stays the same. */
  @Test
  void everyRequestOnOneKeptAliveConnectionIsHeldToTheKeyItCarries() {
    HttpClient client = broker.httpClient(node.vertx, new io.vertx.core.http.HttpClientOptions().setKeepAlive(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1));
    List<io.vertx.core.http.HttpConnection> connections = new ArrayList<>();
    java.util.function.BiFunction<String, String, Integer> get = (path, key) -> Await.result(client.request(new RequestOptions()
            .setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(node.httpPort()).setURI(path)
            .putHeader("Authorization", "Bearer " + key))
        .compose(req -> req.send().compose(resp -> {
          connections.add(req.connection());
          return resp.body().map(b -> resp.statusCode());
        })));

    assertEquals(200, get.apply("/v1/tokens", ADMIN));
    assertEquals(403, get.apply("/v1/tokens", READ_ONLY), "a read-only key after an admin key on the same connection");
    assertEquals(401, get.apply("/v1/tokens", "not-a-key"), "an unknown key after accepted ones");
    assertEquals(403, get.apply("/v1/tokens/other", ESIGNGLOBAL_ONLY));
    assertEquals(200, get.apply("/v1/tokens", ADMIN));
    assertEquals(1, connections.stream().distinct().count(), "all five requests went over one connection");
    Await.result(client.close());
  }

  @Test
  void aKeyReachesOnlyTheProvidersItNames() {
    assertEquals(200, http.send(HttpMethod.GET, "/v1/tokens/esignglobal", ESIGNGLOBAL_ONLY).statusCode());

    HttpResponse<Buffer> refused = http.send(HttpMethod.GET, "/v1/tokens/other", ESIGNGLOBAL_ONLY);

    assertForbidden(refused, "this API key's providers do not include other");
    assertEquals(0, provider.calls(OTHER_PATH), "no provider call for a provider outside the scope");
    assertEquals(200, http.send(HttpMethod.GET, "/v1/tokens/other", ADMIN).statusCode(), "the provider itself answers");
    assertEquals(1, provider.calls(OTHER_PATH));
  }

  @Test
  void accountPatternsMustMatchTheWholeAccountName() {
    for (String account : List.of("acme-1", "acme-22", "team-1")) {
      assertEquals(200, http.send(HttpMethod.GET, "/v1/tokens/esignglobal?account=" + account, ACME).statusCode(), account);
    }
    assertEquals(3, provider.calls(ESG_PATH));

    for (String account : List.of("default", "team-12", "xacme-1")) {
      HttpResponse<Buffer> refused = http.send(HttpMethod.GET, "/v1/tokens/esignglobal?account=" + account, ACME);
      assertForbidden(refused, "this API key's accounts do not cover the account " + account);
    }
    assertForbidden(http.send(HttpMethod.GET, "/v1/tokens/esignglobal", ACME),
        "this API key's accounts do not cover the account default");
    assertEquals(3, provider.calls(ESG_PATH), "no provider call for an account outside the scope");
  }

  @Test
  void aKeyWithoutActionsReadsRefreshesAndStreamsEventsButIsNoAdmin() {
    assertEquals(200, http.send(HttpMethod.GET, "/v1/tokens/esignglobal", DEFAULTS).statusCode());
    assertEquals(200, http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh", DEFAULTS).statusCode());
    assertEquals(200, eventStreamStatus(DEFAULTS));

    assertForbidden(http.send(HttpMethod.GET, "/v1/tokens", DEFAULTS), "this API key's actions do not include admin");
    assertForbidden(http.send(HttpMethod.DELETE, "/v1/tokens/esignglobal", DEFAULTS), "this API key's actions do not include admin");
    assertForbidden(http.send(HttpMethod.POST, "/v1/oauth/rightsignature/authorize?account=acme", DEFAULTS),
        "this API key's actions do not include admin");

    Token stored = stored("esignglobal", "default");
    assertNotNull(stored, "the refused DELETE deleted nothing");
    assertEquals(2, stored.version());
    assertEquals(2, provider.calls(ESG_PATH));
  }

  @Test
  void aReadOnlyKeyCannotForceARotationNorStreamEvents() {
    assertEquals(200, http.send(HttpMethod.GET, "/v1/tokens/esignglobal", READ_ONLY).statusCode());
    Token before = stored("esignglobal", "default");

    assertForbidden(http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh", READ_ONLY),
        "this API key's actions do not include refresh");
    assertEquals(403, eventStreamStatus(READ_ONLY));

    assertEquals(1, provider.calls(ESG_PATH));
    assertUnchanged(before, stored("esignglobal", "default"));
  }

  @Test
  void aRefreshOnlyKeyRotatesButCannotRead() {
    assertForbidden(http.send(HttpMethod.GET, "/v1/tokens/esignglobal", REFRESH_ONLY), "this API key's actions do not include read");
    assertEquals(0, provider.calls(ESG_PATH));

    HttpResponse<Buffer> refreshed = http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh", REFRESH_ONLY);

    assertEquals(200, refreshed.statusCode());
    assertEquals(1, refreshed.bodyAsJsonObject().getLong("version"));
    assertEquals(1, provider.calls(ESG_PATH));
  }

  @Test
  void outOfScopeRefreshesAndDeletesCallNoProviderAndLeaveTheTokenAsItWas() {
    assertEquals(200, http.send(HttpMethod.GET, "/v1/tokens/esignglobal", ADMIN).statusCode());
    Token before = stored("esignglobal", "default");

    assertForbidden(http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh", ACME),
        "this API key's accounts do not cover the account default");
    assertForbidden(http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh", OTHER_ADMIN),
        "this API key's actions do not include refresh");
    assertForbidden(http.send(HttpMethod.DELETE, "/v1/tokens/esignglobal", OTHER_ADMIN),
        "this API key's providers do not include esignglobal");

    assertEquals(1, provider.calls(ESG_PATH));
    assertUnchanged(before, stored("esignglobal", "default"));
  }

  @Test
  void anAdminKeyScopedToOneProviderListsAndDeletesOnlyItsOwnTokens() {
    http.send(HttpMethod.GET, "/v1/tokens/esignglobal", ADMIN);
    http.send(HttpMethod.GET, "/v1/tokens/other?account=acme-1", ADMIN);

    JsonArray list = http.send(HttpMethod.GET, "/v1/tokens", OTHER_ADMIN).bodyAsJsonArray();

    assertEquals(List.of("other:acme-1"), ids(list), "a scoped key sees only the accounts of its scope");
    assertEquals(List.of("esignglobal:default", "other:acme-1"), ids(http.send(HttpMethod.GET, "/v1/tokens", ADMIN).bodyAsJsonArray()));
    assertForbidden(http.send(HttpMethod.DELETE, "/v1/tokens/esignglobal", OTHER_ADMIN), "this API key's providers do not include esignglobal");
    assertEquals(200, http.send(HttpMethod.DELETE, "/v1/tokens/other?account=acme-1", OTHER_ADMIN).statusCode());
    assertNotNull(stored("esignglobal", "default"));
    assertNull(stored("other", "acme-1"));
  }

  @Test
  void theEventStreamCarriesOnlyEventsOfTheKeysProvidersAndAccounts() {
    HttpClient client = broker.httpClient(node.vertx);
    StringBuffer scoped = eventStream(client, ACME_EVENTS);
    StringBuffer everything = eventStream(client, ADMIN);

    http.send(HttpMethod.GET, "/v1/tokens/esignglobal", ADMIN);                    // account out of scope
    http.send(HttpMethod.GET, "/v1/tokens/other?account=acme-1", ADMIN);           // provider out of scope
    http.send(HttpMethod.GET, "/v1/tokens/esignglobal?account=acme-1", ADMIN);     // in scope

    Await.until("all three events on the unrestricted stream", Duration.ofSeconds(10), () -> events(everything).size() == 3);
    Await.until("the in-scope event on the scoped stream", Duration.ofSeconds(10), () -> !events(scoped).isEmpty());
    List<JsonObject> seen = events(scoped);
    assertEquals(1, seen.size(), seen.toString());
    assertEquals("esignglobal", seen.get(0).getString("provider"));
    assertEquals("acme-1", seen.get(0).getString("account"));
    Await.result(client.close());
  }

  @Test
  void theSockJsBridgeRefusesATokenGetOutsideTheKeysScopeWithoutCallingTheProvider() {
    try (SockJs bus = broker.sockJs(node)) {
      bus.send(Addresses.get("esignglobal"), "r1", null, ACME);
      bus.send(Addresses.get("esignglobal"), "r2", new JsonObject().put("account", "team-12"), ACME);

      for (String reply : List.of("r1", "r2")) {
        JsonObject failure = bus.answer(reply);
        assertEquals("err", failure.getString("type"));
        assertEquals(403, failure.getInteger("failureCode"));
        assertEquals("forbidden", new JsonObject(failure.getString("message")).getString("error"));
      }
      assertTrue(bus.frames.stream().anyMatch(f -> "rejected".equals(f.getString("body"))), "the bridge refused the message");
      assertEquals(0, provider.calls(ESG_PATH));

      JsonObject reply = bus.answer(request(bus, "r3", new JsonObject().put("account", "acme-1"), ACME));
      assertEquals("rec", reply.getString("type"));
      assertEquals("acme-1", reply.getJsonObject("body").getString("account"));
      assertEquals(1, provider.calls(ESG_PATH));
    }
  }

  @Test
  void theSockJsBridgeRefusesPublishingToTokenGet() {
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.get("esignglobal"), m -> published.add(m.body())).completion());
    try (SockJs bus = broker.sockJs(node)) {
      bus.publish(Addresses.get("esignglobal"), new JsonObject().put("account", "acme-1"), ADMIN);

      bus.await("the refusal", f -> "err".equals(f.getString("type")) && "rejected".equals(f.getString("body")));
      // a later publish reaches every consumer after any earlier one would have
      node.vertx.eventBus().publish(Addresses.get("esignglobal"), new JsonObject().put("marker", true));
      Await.until("the marker", Duration.ofSeconds(10), () -> !published.isEmpty());
      assertEquals(List.of(new JsonObject().put("marker", true)), published, "nothing from the bridge reached the bus");
      assertEquals(0, provider.calls(ESG_PATH));
    }
  }

  @Test
  void tokenRefreshOverSockJsNeedsTheRefreshAction() {
    try (SockJs bus = broker.sockJs(node)) {
      JsonObject refused = bus.answer(request(bus, "r1", null, READ_ONLY, Addresses.refresh("esignglobal")));
      assertEquals(403, refused.getInteger("failureCode"));
      assertEquals(new JsonObject().put("error", "forbidden").put("error_description", "this API key's actions do not include refresh"),
          new JsonObject(refused.getString("message")));
      assertEquals(0, provider.calls(ESG_PATH));

      JsonObject refreshed = bus.answer(request(bus, "r2", null, DEFAULTS, Addresses.refresh("esignglobal")));
      assertEquals("rec", refreshed.getString("type"));
      assertEquals(1, refreshed.getJsonObject("body").getLong("version"));
      assertEquals(1, provider.calls(ESG_PATH));
    }
  }

  @Test
  void theSockJsBridgeDeliversOnlyEventsWithinTheSubscribingKeysScope() {
    try (SockJs bus = broker.sockJs(node)) {
      bus.register(Addresses.FAILED, READ_ONLY);
      bus.await("refusal of a subscription without the events action", f -> "rejected".equals(f.getString("body")));
      bus.register(Addresses.ROTATED, ACME_EVENTS);
      Await.until("the subscription to take effect", Duration.ofSeconds(10), () -> {
        http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh?account=acme-1", ADMIN);
        return !rotations(bus).isEmpty();
      });

      http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh", ADMIN);                // account out of scope
      http.send(HttpMethod.POST, "/v1/tokens/other/refresh?account=acme-1", ADMIN);       // provider out of scope
      http.send(HttpMethod.POST, "/v1/tokens/esignglobal/refresh?account=acme-22", ADMIN); // in scope

      bus.await("the in-scope rotation", f -> "token.rotated".equals(f.getString("address"))
          && "acme-22".equals(f.getJsonObject("body").getString("account")));
      for (JsonObject event : rotations(bus)) {
        assertEquals("esignglobal", event.getString("provider"), event.encode());
        assertTrue(event.getString("account").startsWith("acme-"), event.encode());
      }
    }
  }

  @Test
  void adminDigestsFromTheEnvironmentHaveEveryActionAndApiKeyDigestsTheDefaults(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("config.json");
    JsonObject raw = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
    raw.getJsonObject("http").put("api-keys", new JsonArray());
    Files.writeString(file, raw.encode());
    Vertx vertx = broker.vertx();
    JsonObject config = Await.result(ConfigLoader.load(vertx, file.toString(), Map.of(
        "TOKEN_BROKER_API_KEY_SHA256", Secret.sha256Hex("env-service-key"),
        "TOKEN_BROKER_ADMIN_KEY_SHA256", Secret.sha256Hex("env-admin-1") + ", " + Secret.sha256Hex("env-admin-2"))));
    try (BrokerNode envNode = broker.start(vertx, config, Clock.systemUTC())) {
      Http envHttp = broker.http(envNode);

      assertEquals(200, envHttp.send(HttpMethod.GET, "/v1/tokens/esignglobal", "env-service-key").statusCode());
      assertForbidden(envHttp.send(HttpMethod.GET, "/v1/tokens", "env-service-key"), "this API key's actions do not include admin");
      assertEquals(200, envHttp.send(HttpMethod.GET, "/v1/tokens", "env-admin-1").statusCode());
      assertEquals(200, envHttp.send(HttpMethod.DELETE, "/v1/tokens/esignglobal", "env-admin-2").statusCode());
    }
  }

  @Test
  void theSandboxDemoKeyIsAnAdminKey() {
    Vertx vertx = broker.vertx();
    JsonObject config = TestConfigs.demo(vertx, TestConfigs.freePort());
    try (BrokerNode demo = broker.start(vertx, config, Clock.systemUTC())) {
      Http demoHttp = broker.http(demo);

      assertEquals(200, demoHttp.send(HttpMethod.GET, "/v1/tokens/sandbox", "demo-key").statusCode());
      assertEquals(200, demoHttp.send(HttpMethod.POST, "/v1/tokens/sandbox/refresh", "demo-key").statusCode());
      assertEquals(List.of("sandbox:default"), ids(demoHttp.send(HttpMethod.GET, "/v1/tokens", "demo-key").bodyAsJsonArray()));
      assertEquals(200, demoHttp.send(HttpMethod.DELETE, "/v1/tokens/sandbox", "demo-key").statusCode());
    }
  }

  @Test
  void theAccessLogNamesTheKeyButNeverShowsIt() {
    List<String> lines = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger access = Logger.getLogger("dev.tokenbroker.http.access");
    Level before = access.getLevel();
    access.setLevel(Level.ALL);
    access.addHandler(capture);
    try {
      http.send(HttpMethod.GET, "/v1/tokens", DEFAULTS);
      Await.until("the access log line", Duration.ofSeconds(10), () -> !lines.isEmpty());
    } finally {
      access.removeHandler(capture);
      access.setLevel(before);
    }
    assertEquals("GET /v1/tokens 403", lines.get(0).substring(0, "GET /v1/tokens 403".length()), lines.get(0));
    assertTrue(lines.get(0).endsWith(" key=defaults"), lines.get(0));
    assertFalse(String.join("\n", lines).contains(DEFAULTS), "the key itself is never logged");
  }

  // ---- helpers

  private static JsonObject key(String name, String key) {
    return new JsonObject().put("name", name).put("sha256", Secret.sha256Hex(key));
  }

  private static JsonArray list(String... values) {
    return new JsonArray(List.of((Object[]) values));
  }

  private static void assertForbidden(HttpResponse<Buffer> response, String description) {
    assertEquals(403, response.statusCode(), response.bodyAsString());
    assertEquals(new JsonObject().put("error", "forbidden").put("error_description", description), response.bodyAsJsonObject());
  }

  private Token stored(String provider, String account) {
    return Await.result(node.store().load(new TokenKey(provider, account)));
  }

  private static void assertUnchanged(Token before, Token after) {
    assertEquals(before.version(), after.version());
    assertEquals(before.accessToken().reveal(), after.accessToken().reveal());
    assertEquals(before.expiresAt(), after.expiresAt());
  }

  private static List<String> ids(JsonArray list) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(list.getJsonObject(i).getString("provider") + ":" + list.getJsonObject(i).getString("account"));
    }
    return out;
  }

  private int eventStreamStatus(String apiKey) {
    HttpClient client = broker.httpClient(node.vertx);
    try {
      return Await.result(client.request(new RequestOptions().setPort(node.httpPort()).setHost("127.0.0.1").setURI("/v1/events")
          .putHeader("Authorization", "Bearer " + apiKey)).compose(r -> r.send())).statusCode();
    } finally {
      Await.result(client.close());
    }
  }

  private StringBuffer eventStream(HttpClient client, String apiKey) {
    StringBuffer stream = new StringBuffer();
    // the handler is set on the event loop as the response arrives, so no chunk goes by before it
    HttpClientResponse response = Await.result(client.request(new RequestOptions().setPort(node.httpPort()).setHost("127.0.0.1")
        .setURI("/v1/events").putHeader("Authorization", "Bearer " + apiKey)).compose(r -> r.send())
        .map(r -> r.handler(chunk -> stream.append(chunk.toString()))));
    assertEquals(200, response.statusCode());
    // the stream's opening comment: its consumers are registered from here on
    Await.until("the stream to open", Duration.ofSeconds(10), () -> stream.toString().contains("token-broker events"));
    return stream;
  }

  /** The data of the complete events in a stream. */
  private static List<JsonObject> events(StringBuffer stream) {
    String text = stream.toString();
    List<JsonObject> out = new ArrayList<>();
    for (String block : text.substring(0, Math.max(0, text.lastIndexOf("\n\n"))).split("\n\n")) {
      if (block.startsWith("event: ")) {
        out.add(new JsonObject(block.substring(block.indexOf("data: ") + 6)));
      }
    }
    return out;
  }

  private static List<JsonObject> rotations(SockJs bus) {
    return bus.frames.stream().filter(f -> "token.rotated".equals(f.getString("address")))
        .map(f -> f.getJsonObject("body")).toList();
  }

  /** Sends a request through the bridge; returns its reply address, for {@link SockJs#answer}. */
  private static String request(SockJs bus, String replyAddress, Object body, String apiKey) {
    return request(bus, replyAddress, body, apiKey, Addresses.get("esignglobal"));
  }

  private static String request(SockJs bus, String replyAddress, Object body, String apiKey, String address) {
    bus.send(address, replyAddress, body, apiKey);
    return replyAddress;
  }
}
