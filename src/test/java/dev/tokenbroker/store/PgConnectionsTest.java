package dev.tokenbroker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PgConnections} reaches the socket of a pooled PostgreSQL connection, and closing it there
 * takes the connection out of the pool: the pool's slot goes to a new connection, where a plain
 * close hands the same connection back.
 *
 * <p>In 5.0.10 the PostgreSQL codec turns a close of the socket into a Terminate message and a
 * half-close, so the connection is gone once the server has read that: at once from an idle
 * server, only after the statement from one still running it.
 */
class PgConnectionsTest {
  @TempDir
  static Path dir;
  private static EmbeddedPg pg;
  private final Vertx vertx = Vertx.vertx();
  private Pool pool;

  @BeforeAll
  static void startPostgres() throws IOException {
    pg = new EmbeddedPg(dir.resolve("pg"));
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    pg.close();
  }

  @AfterEach
  void close() {
    Await.result(pool.close());
    Await.result(vertx.close());
  }

  private Pool pool(int size) {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(size))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(pg.port()).setDatabase("postgres")
            .setUser("postgres").setPassword("unused"))
        .using(vertx).build();
    return pool;
  }

  /** The server process behind the connection. */
  private static int backendPid(SqlConnection c) {
    return Await.result(c.query("SELECT pg_backend_pid()").execute(), Duration.ofSeconds(10)).iterator().next().getInteger(0);
  }

  @Test
  void aPlainCloseHandsTheConnectionBackToThePool() {
    pool(1);
    SqlConnection first = Await.result(pool.getConnection());
    int pid = backendPid(first);
    Await.result(first.close());

    SqlConnection next = Await.result(pool.getConnection());
    assertEquals(pid, backendPid(next), "the same connection again");
    Await.result(next.close());
  }

  @Test
  void aConnectionClosedAtItsSocketLeavesThePoolAndItsSlotGoesToANewOne() {
    pool(1);
    SqlConnection first = Await.result(pool.getConnection());
    int pid = backendPid(first);

    assertTrue(PgConnections.closeSocket(first), "the socket of a pooled connection is reached");

    SqlConnection next = Await.result(pool.getConnection(), Duration.ofSeconds(10));
    assertNotEquals(pid, backendPid(next), "the pool's one slot went to a new connection");
    Await.result(next.close());
  }
}
