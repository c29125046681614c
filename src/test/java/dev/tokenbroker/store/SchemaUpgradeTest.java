package dev.tokenbroker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.BrokerVerticle;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases made before the schema was versioned (tb_tokens only, as the broker created it then)
 * upgrade in place at start-up with their tokens readable; starting again changes nothing; a
 * database from a newer broker is refused with a clear line.
 */
class SchemaUpgradeTest {
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private RotatingProvider provider;
  @TempDir
  Path dir;

  /** The table as the broker created it before versions existed (its CREATE statement then, verbatim). */
  private static final String OLD_SCHEMA = "CREATE TABLE IF NOT EXISTS tb_tokens ("
      + "id VARCHAR(200) PRIMARY KEY, provider VARCHAR(32) NOT NULL, account VARCHAR(64) NOT NULL, "
      + "version BIGINT NOT NULL, key_id VARCHAR(16) NOT NULL, payload VARCHAR(32000) NOT NULL, updated_at BIGINT NOT NULL)";

  private interface Db {
    Connection open() throws SQLException;
  }

  private static List<Integer> versions(Db db) throws SQLException {
    List<Integer> out = new ArrayList<>();
    try (Connection c = db.open(); ResultSet rs = c.createStatement().executeQuery("SELECT version FROM tb_schema_version ORDER BY version")) {
      while (rs.next()) {
        out.add(rs.getInt(1));
      }
    }
    return out;
  }

  /**
   * An old database with a token: the table made with the old statement, the row written by the
   * broker (then the version table dropped, so that only what the old broker had remains).
   */
  private void upgradesInPlace(JsonObject store, Db db) throws Exception {
    provider = broker.resource(new RotatingProvider(3600));
    JsonObject cfg = PostgresOutageTest.config(provider.baseUrl(), store);
    try (Connection c = db.open()) {
      c.createStatement().execute(OLD_SCHEMA);
    }
    try (BrokerNode first = broker.start(cfg)) {
      Await.result(first.accounts().authorize(ACME, Secret.of("acme"), null));
    }
    try (Connection c = db.open()) {
      c.createStatement().execute("DROP TABLE tb_schema_version");
      try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM tb_tokens")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "the old database holds the token");
      }
    }

    try (BrokerNode upgraded = broker.start(cfg)) {
      assertEquals("a-acme-1", upgraded.request(Addresses.get("rightsignature"), new JsonObject().put("account", "acme"))
          .getString("access_token"), "the token of the old database is served");
      upgraded.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
    }
    assertEquals(List.of(1), versions(db), "upgraded to version 1");

    try (BrokerNode again = broker.start(cfg)) {
      assertEquals(2L, again.store().cached(ACME).version());
    }
    assertEquals(List.of(1), versions(db), "a second start changes nothing");

    try (Connection c = db.open()) {
      c.createStatement().execute("INSERT INTO tb_schema_version (version, description, applied_at) VALUES (99, 'from the future', 0)");
    }
    Vertx vertx = broker.vertx();
    try {
      Throwable refused = Await.failure(vertx.deployVerticle(new BrokerVerticle(), new DeploymentOptions().setConfig(cfg)));
      assertTrue(refused.getMessage().contains("schema version 99") && refused.getMessage().contains("newer broker"), refused.getMessage());
    } finally {
      Await.result(vertx.close());
    }
    assertEquals(List.of(), provider.reused());
  }

  @Test
  void aFileStoreMadeBeforeSchemaVersionsUpgradesInPlace() throws Exception {
    Path file = dir.resolve("tokens").toAbsolutePath();
    JsonObject store = new JsonObject().put("type", "file").put("path", file.toString()).put("encryption-key", PostgresOutageTest.newKey());
    upgradesInPlace(store, () -> DriverManager.getConnection("jdbc:h2:file:" + file));
  }

  @Test
  void aPostgresStoreMadeBeforeSchemaVersionsUpgradesInPlace() throws Exception {
    try (EmbeddedPg pg = new EmbeddedPg(dir.resolve("pg"))) {
      upgradesInPlace(pg.storeConfig(PostgresOutageTest.newKey()), () -> pg.server().getPostgresDatabase().getConnection());
    }
  }
}
