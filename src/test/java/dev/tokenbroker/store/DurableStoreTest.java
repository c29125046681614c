package dev.tokenbroker.store;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Refresh tokens survive a full restart, encrypted at rest, in the embedded file store and in PostgreSQL. */
class DurableStoreTest {
  private static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  @TempDir
  Path dir;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"access-one\",\"expires_in\":7200,\"refresh_token\":\"refresh-one\"}")));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-one"))
        .willReturn(okJson("{\"access_token\":\"access-two\",\"expires_in\":7200,\"refresh_token\":\"refresh-two\"}")));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-two"))
        .willReturn(okJson("{\"access_token\":\"access-three\",\"expires_in\":7200,\"refresh_token\":\"refresh-three\"}")));
  }

  private static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private JsonObject config(JsonObject store) {
    return TestConfigs.broker(new JsonObject().put("rightsignature", TestConfigs.rightsignature(provider.baseUrl()))).put("store", store);
  }

  private JsonObject fileStore(String key) {
    return new JsonObject().put("type", "file").put("path", dir.resolve("tokens").toString()).put("encryption-key", key);
  }

  /** Onboard, rotate, stop everything, start a new node, rotate again: the provider gets the latest refresh token. */
  private void survivesARestart(JsonObject store) {
    try (BrokerNode first = broker.start(config(store))) {
      Await.result(first.accounts().authorize(ACME, Secret.of("code"), null));
      first.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
    }
    try (BrokerNode second = broker.start(config(store))) {
      assertEquals("access-two", second.request(Addresses.get("rightsignature"), new JsonObject().put("account", "acme"))
          .getString("access_token"), "loaded at start-up");
      JsonObject rotated = second.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
      assertEquals("access-three", rotated.getString("access_token"));
      assertEquals(3L, rotated.getLong("version"));
    }
    assertEquals(List.of("refresh-one", "refresh-two"), provider.refreshTokensSent(PATH), "no re-authorization, latest refresh token used");
  }

  @Test
  void theFileStoreKeepsRefreshTokensAcrossARestart() throws Exception {
    survivesARestart(fileStore(newKey()));
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("tokens").toAbsolutePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT key_id, payload FROM tb_tokens")) {
      assertTrue(rs.next());
      assertNotEquals("none", rs.getString("key_id"));
      assertFalse(rs.getString("payload").contains("refresh-three"), "encrypted at rest");
      assertFalse(rs.getString("payload").contains("access-three"));
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String bytes = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(bytes.contains("refresh-three") || bytes.contains("refresh-two"), "token text in " + f);
      }
    }
  }

  @Test
  void postgresKeepsRefreshTokensAcrossARestart() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      JsonObject store = new JsonObject().put("type", "postgres")
          .put("url", "postgresql://127.0.0.1:" + pg.getPort() + "/postgres").put("user", "postgres").put("password", "unused")
          .put("encryption-key", newKey());
      survivesARestart(store);
      try (Connection c = pg.getPostgresDatabase().getConnection();
           ResultSet rs = c.createStatement().executeQuery("SELECT payload FROM tb_tokens")) {
        assertTrue(rs.next());
        assertFalse(rs.getString("payload").contains("refresh-three"));
      }
    }
  }

  /**
   * Two nodes that do not share a cache (as on both sides of a partition) but share PostgreSQL: the
   * rotation the database refuses is never stored in the loser's cache nor announced by it; the
   * loser serves the winner's token.
   */
  @Test
  void aRotationThatLosesThePostgresCompareAndSetIsNeverPublished() throws Exception {
    provider.server.resetMappings();
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(okJson("{\"access_token\":\"access-one\",\"expires_in\":7200,\"refresh_token\":\"refresh-one\"}")));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-one")).inScenario("refresh")
        .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willSetStateTo("rotated")
        .willReturn(okJson("{\"access_token\":\"access-winner\",\"expires_in\":7200,\"refresh_token\":\"refresh-winner\"}")));
    provider.stub(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-one")).inScenario("refresh")
        .whenScenarioStateIs("rotated")
        .willReturn(okJson("{\"access_token\":\"access-loser\",\"expires_in\":7200,\"refresh_token\":\"refresh-loser\"}")));
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      JsonObject store = new JsonObject().put("type", "postgres")
          .put("url", "postgresql://127.0.0.1:" + pg.getPort() + "/postgres").put("user", "postgres").put("password", "unused")
          .put("encryption-key", newKey());
      JsonObject acme = new JsonObject().put("account", "acme");
      try (BrokerNode winner = broker.start(config(store))) {
        Await.result(winner.accounts().authorize(ACME, Secret.of("code"), null));
        try (BrokerNode loser = broker.start(config(store))) {
          assertEquals(1L, loser.store().cached(ACME).version(), "the loser loaded v1 at start-up");
          List<JsonObject> loserEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
          Await.result(loser.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> loserEvents.add(m.body())).completion());
          assertEquals("access-winner", winner.request(Addresses.refresh("rightsignature"), acme).getString("access_token"));

          JsonObject served = loser.request(Addresses.refresh("rightsignature"), acme);

          assertEquals("access-winner", served.getString("access_token"), "the loser serves the database's token");
          assertEquals(2L, served.getLong("version"));
          assertEquals(List.of(), loserEvents, "the refused rotation was not announced");
          assertEquals("access-winner", loser.store().cached(ACME).accessToken().reveal());
        }
      }
      try (BrokerNode after = broker.start(config(store))) {
        assertEquals("access-winner", after.request(Addresses.get("rightsignature"), acme).getString("access_token"),
            "the database kept the winner's token");
      }
    }
  }

  @Test
  void aWrongKeyIsAClearErrorForThatTokenAndTheNodeRuns() {
    try (BrokerNode first = broker.start(config(fileStore(newKey())))) {
      Await.result(first.accounts().authorize(ACME, Secret.of("code"), null));
    }
    try (BrokerNode second = broker.start(config(fileStore(newKey())))) {
      ReplyException e = second.requestFailure(Addresses.get("rightsignature"), new JsonObject().put("account", "acme"));
      assertEquals(500, e.failureCode());
      assertTrue(e.getMessage().contains("cannot be read") && e.getMessage().contains("not configured"), e.getMessage());
      assertEquals(401, second.requestFailure(Addresses.get("rightsignature"), new JsonObject().put("account", "other")).failureCode(),
          "other accounts still answer");
    }
    assertEquals(List.of(), provider.refreshTokensSent(PATH), "nothing was sent with an unreadable token");
  }

  @Test
  void aTamperedRowIsAClearErrorForThatToken() throws Exception {
    JsonObject store = fileStore(newKey());
    try (BrokerNode first = broker.start(config(store))) {
      Await.result(first.accounts().authorize(ACME, Secret.of("code"), null));
    }
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("tokens").toAbsolutePath())) {
      ResultSet rs = c.createStatement().executeQuery("SELECT payload FROM tb_tokens");
      rs.next();
      char[] payload = rs.getString(1).toCharArray();
      payload[20] = payload[20] == 'A' ? 'B' : 'A';
      var update = c.prepareStatement("UPDATE tb_tokens SET payload = ?");
      update.setString(1, new String(payload));
      update.executeUpdate();
    }
    try (BrokerNode second = broker.start(config(store))) {
      ReplyException e = second.requestFailure(Addresses.get("rightsignature"), new JsonObject().put("account", "acme"));
      assertEquals(500, e.failureCode());
      assertTrue(e.getMessage().contains("tampered"), e.getMessage());
    }
  }

  @Test
  void anOldKeyStillReadsAfterKeyRotation() {
    String oldKey = newKey();
    try (BrokerNode first = broker.start(config(fileStore(oldKey)))) {
      Await.result(first.accounts().authorize(ACME, Secret.of("code"), null));
    }
    JsonObject rotatedKeys = fileStore(newKey()).put("encryption-old-keys", oldKey);
    try (BrokerNode second = broker.start(config(rotatedKeys))) {
      assertEquals("access-one", second.request(Addresses.get("rightsignature"), new JsonObject().put("account", "acme")).getString("access_token"));
    }
  }

  @Test
  void aStoreOutageDuringRotationLosesNothing() throws Exception {
    JsonObject store = fileStore(newKey());
    try (BrokerNode node = broker.start(config(store))) {
      Await.result(node.accounts().authorize(ACME, Secret.of("code"), null));
      // the outage: another process holds the database exclusively... simulated by locking the table
      Connection blocker = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("tokens").toAbsolutePath() + ";LOCK_TIMEOUT=100");
      blocker.setAutoCommit(false);
      blocker.createStatement().execute("SELECT * FROM tb_tokens FOR UPDATE");

      ReplyException e = node.requestFailure(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
      assertEquals(503, e.failureCode(), e.getMessage());
      assertEquals(1, node.store().pendingDurableWrites());
      assertEquals("access-two", node.request(Addresses.get("rightsignature"), new JsonObject().put("account", "acme"))
          .getString("access_token"), "the renewed token is kept in memory; the spent refresh token is never used again");

      blocker.rollback();
      blocker.close();
      dev.tokenbroker.support.Await.until("the write to be retried", java.time.Duration.ofSeconds(15),
          () -> node.store().pendingDurableWrites() == 0);
    }
    try (BrokerNode restarted = broker.start(config(store))) {
      restarted.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
    }
    assertEquals(List.of("refresh-one", "refresh-two"), provider.refreshTokensSent(PATH));
  }
}
