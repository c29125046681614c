package dev.tokenbroker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.BrokerVerticle;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL that accepts connections but never answers: at start-up the broker fails with a
 * clear line within its timeouts; while running (the embedded server paused with SIGSTOP) it keeps
 * answering, its store calls time out, and it recovers when the server resumes.
 */
class HangingStoreTest {
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  private static final JsonObject ACME_BODY = new JsonObject().put("account", "acme");
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private RotatingProvider provider;
  @TempDir
  Path dir;

  @Test
  void aDatabaseThatAcceptsButNeverAnswersFailsStartUpWithAClearLineWithinTheTimeouts() throws Exception {
    provider = broker.resource(new RotatingProvider(3600));
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // read nothing, answer nothing
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      JsonObject store = new JsonObject().put("type", "postgres").put("url", "postgresql://127.0.0.1:" + silent.getLocalPort() + "/postgres")
          .put("user", "postgres").put("password", "unused").put("encryption-key", PostgresOutageTest.newKey())
          .put("connect-timeout-seconds", 2).put("query-timeout-seconds", 2)
          .put("idle-timeout-seconds", 2); // a handshake that never answers is closed after idle + connect timeout
      Vertx vertx = broker.vertx();
      try {
        long started = System.nanoTime();
        Throwable failure = Await.failure(vertx.deployVerticle(new BrokerVerticle(),
            new DeploymentOptions().setConfig(PostgresOutageTest.config(provider.baseUrl(), store))));
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertTrue(failure.getMessage().startsWith("the durable token store (POSTGRES) cannot be opened: "), failure.getMessage());
        assertTrue(failure.getMessage().toLowerCase().contains("timeout") || failure.getMessage().contains("did not answer"),
            failure.getMessage());
        assertTrue(!accepted.isEmpty(), "the broker did connect");
        assertTrue(tookMs < 15_000, "failed within its timeouts (" + tookMs + " ms)");
        System.out.println("start-up against a silent server failed after " + tookMs + " ms: " + failure.getMessage());
        // the handshake probe gave up on its own socket: no pool waits on the silent server, so
        // Vert.x closes at once (the process of a failed start exits instead of hanging)
        Await.result(vertx.close(), java.time.Duration.ofSeconds(10));
      } finally {
        for (Socket s : accepted) {
          s.close();
        }
        vertx.close();
      }
    }
  }

  @Test
  void aPausedPostgresNeverStallsTheBrokerItsCallsTimeOutAndItRecovers() throws Exception {
    provider = broker.resource(new RotatingProvider(3600));
    try (EmbeddedPg pg = new EmbeddedPg(dir.resolve("pg"))) {
      JsonObject cfg = PostgresOutageTest.config(provider.baseUrl(), pg.storeConfig(PostgresOutageTest.newKey()).put("connect-timeout-seconds", 2));
      try (BrokerNode node = broker.start(cfg)) {
        Await.result(node.accounts().authorize(ACME, Secret.of("acme"), null));
        Http http = broker.http(node);
        assertEquals(200, http.send(HttpMethod.GET, "/ready", null).statusCode());

        pg.signal("STOP");
        try {
          long started = System.nanoTime();
          ReplyException refused = node.requestFailure(Addresses.refresh("rightsignature"), ACME_BODY);
          long refreshMs = (System.nanoTime() - started) / 1_000_000;
          assertEquals(503, refused.failureCode(), refused.getMessage());
          assertTrue(refused.getMessage().contains("could not be stored durably yet"), refused.getMessage());
          assertTrue(refreshMs < 9_000, "the store's calls timed out (2 s each), the refresh answered in " + refreshMs + " ms");
          assertEquals(1, node.store().pendingDurableWrites());

          for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            JsonObject token = node.request(Addresses.get("rightsignature"), ACME_BODY);
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertEquals("a-acme-2", token.getString("access_token"), "the renewed token, kept in memory");
            assertTrue(ms < 1_000, "a cached token answers at once while the database hangs (" + ms + " ms)");
          }
          Await.until("/ready DOWN with token-store DOWN", Duration.ofSeconds(15), () -> {
            var ready = http.send(HttpMethod.GET, "/ready", null);
            return ready.statusCode() == 503 && ready.bodyAsString().contains("\"id\":\"token-store\",\"status\":\"DOWN\"");
          });
          System.out.println("paused PostgreSQL: refresh answered 503 after " + refreshMs + " ms");
        } finally {
          pg.signal("CONT");
        }
        Await.until("the pending write to land", Duration.ofSeconds(30), () -> node.store().pendingDurableWrites() == 0);
        Await.until("/ready UP", Duration.ofSeconds(15), () -> http.send(HttpMethod.GET, "/ready", null).statusCode() == 200);
        JsonObject rotated = node.request(Addresses.refresh("rightsignature"), ACME_BODY);
        assertEquals("a-acme-3", rotated.getString("access_token"), "the pool works again after its connections were discarded");
      }
      try (BrokerNode restarted = broker.start(cfg)) {
        assertEquals(provider.liveRefreshToken("acme"), restarted.store().cached(ACME).refreshToken().reveal());
      }
    }
    assertEquals(List.of(), provider.reused());
  }
}
