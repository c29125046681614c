package dev.tokenbroker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real PostgreSQL stopped for a while (12 s here; {@code -Doutage.seconds=60} for the full minute)
 * while a rotating provider's tokens of 8 s are renewed: nothing is lost and no refresh token is
 * sent twice.
 */
class PostgresOutageTest {
  private static final long OUTAGE_SECONDS = Long.getLong("outage.seconds", 12);
  private static final List<String> ACCOUNTS = IntStream.rangeClosed(1, 5).mapToObj(i -> "acct" + i).toList();
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private RotatingProvider provider;
  @TempDir
  Path dir;

  static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  static JsonObject config(String providerUrl, JsonObject store) {
    // a generous provider timeout: the first call to a fresh WireMock can take seconds on a loaded machine
    JsonObject cfg = TestConfigs.broker(new JsonObject().put("rightsignature", TestConfigs.rightsignature(providerUrl).put("timeout-seconds", 10)))
        .put("store", store);
    cfg.getJsonObject("refresh").put("min-validity-seconds", 1);
    return cfg;
  }

  private static int ready(Http http) {
    return http.send(HttpMethod.GET, "/ready", null).statusCode();
  }

  @Test
  void aPostgresOutageKeepsServingAndAfterARestartEveryAccountHasItsLatestRefreshTokenNoneReused() throws Exception {
    provider = broker.resource(new RotatingProvider(8));
    String key = newKey();
    try (EmbeddedPg pg = new EmbeddedPg(dir.resolve("pg"))) {
      JsonObject cfg = config(provider.baseUrl(), pg.storeConfig(key));
      try (BrokerNode node = broker.start(cfg)) {
        for (String account : ACCOUNTS) {
          Await.result(node.accounts().authorize(new TokenKey("rightsignature", account), Secret.of(account), null));
        }
        Http http = broker.http(node);
        assertEquals(200, ready(http));
        Await.until("scheduled renewals before the outage", Duration.ofSeconds(30), () -> provider.refreshes() >= ACCOUNTS.size());

        pg.stop();
        long outageStarted = System.nanoTime();
        Map<String, String> served = new LinkedHashMap<>();
        Await.until("the outage to last " + OUTAGE_SECONDS + " s, every account served throughout", Duration.ofSeconds(OUTAGE_SECONDS + 30),
            () -> {
              for (String account : ACCOUNTS) {
                JsonObject token = node.request(Addresses.get("rightsignature"), new JsonObject().put("account", account));
                assertNotNull(token.getString("access_token"), account);
                served.put(account, token.getString("access_token"));
              }
              return System.nanoTime() - outageStarted >= OUTAGE_SECONDS * 1_000_000_000L
                  && node.store().pendingDurableWrites() > 0 && ready(http) == 503;
            });
        int pendingDuringOutage = node.store().pendingDurableWrites();
        assertTrue(pendingDuringOutage > 0, "rotations during the outage are counted as pending writes");
        String metrics = http.send(HttpMethod.GET, "/metrics", TestConfigs.API_KEY).bodyAsString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tokenbroker_store_pending_writes") && !l.endsWith(" 0.0")),
            "the gauge shows them");

        pg.restart();
        Await.until("the pending writes to land", Duration.ofSeconds(30), () -> node.store().pendingDurableWrites() == 0);
        Await.until("/ready UP again", Duration.ofSeconds(15), () -> ready(http) == 200);
        System.out.println("outage of " + (System.nanoTime() - outageStarted) / 1_000_000 + " ms, " + pendingDuringOutage
            + " pending write(s) during it, " + provider.refreshes() + " refreshes in all");
      }
      Map<String, String> latest = new LinkedHashMap<>();
      ACCOUNTS.forEach(a -> latest.put(a, provider.liveRefreshToken(a)));

      try (BrokerNode restarted = broker.start(cfg)) {
        for (String account : ACCOUNTS) {
          Token token = restarted.store().cached(new TokenKey("rightsignature", account));
          assertNotNull(token, account + " loaded after the restart");
          assertEquals(latest.get(account), token.refreshToken().reveal(), account + " has the provider's live refresh token");
        }
        for (String account : ACCOUNTS) {
          JsonObject rotated = restarted.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", account));
          assertTrue(rotated.getString("access_token").startsWith("a-" + account + "-"));
        }
      }
    }
    assertEquals(List.of(), provider.reused(), "no refresh token was sent after it was spent");
  }
}
