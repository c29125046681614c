package dev.tokenbroker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL ends the broker's pooled connections (as a restart, a failover or an administrator
 * does): the next writes may fail once, then every rotation is stored durably again; a dead
 * connection is not handed out over and over.
 */
class LostConnectionTest {
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private RotatingProvider provider;
  @TempDir
  Path dir;

  @Test
  void afterTheServerEndsThePooledConnectionsEveryRotationIsStoredAgain() throws Exception {
    provider = broker.resource(new RotatingProvider(3600));
    try (EmbeddedPg pg = new EmbeddedPg(dir.resolve("pg"));
         BrokerNode node = broker.start(PostgresOutageTest.config(provider.baseUrl(), pg.storeConfig(PostgresOutageTest.newKey())))) {
      Await.result(node.accounts().authorize(ACME, Secret.of("acme"), null));
      for (int round = 0; round < 3; round++) {
        terminateClientBackends(pg);
        for (int i = 0; i < 4; i++) {
          node.request(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme"));
        }
        Await.until("every rotation stored durably", Duration.ofSeconds(20), () -> node.store().pendingDurableWrites() == 0);
        assertEquals(node.store().cached(ACME).version(), storedVersion(pg), "the row holds the latest version");
      }
    }
  }

  private static void terminateClientBackends(EmbeddedPg pg) throws Exception {
    try (Connection c = pg.server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'");
    }
  }

  private static long storedVersion(EmbeddedPg pg) throws Exception {
    try (Connection c = pg.server().getPostgresDatabase().getConnection(); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT version FROM tb_tokens WHERE id = 'rightsignature:acme'")) {
      r.next();
      return r.getLong(1);
    }
  }
}
