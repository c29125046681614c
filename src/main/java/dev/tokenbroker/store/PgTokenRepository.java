package dev.tokenbroker.store;

import dev.tokenbroker.config.StoreConfig;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenCodec;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.log.Log;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Tokens in PostgreSQL through Vert.x's reactive client: a {@link Pool} of non-blocking
 * connections, so no thread waits for the database. The client has no per-query timeout, so each
 * operation runs under a timer: when it fires, the caller gets a {@link StoreTimeoutException} and the
 * connection is discarded (its socket closed, so the pool replaces it) rather than handed back with a
 * statement still running. Acquiring a connection is bounded by the connect timeout (TCP connect and
 * the wait in the pool's queue), and a connection that reads nothing for longer than the idle and
 * query timeouts (plus the connect timeout) is closed at the socket, which also ends a handshake
 * with a server that never answers.
 */
public final class PgTokenRepository implements TokenRepository {
  private static final Log LOG = Log.of(PgTokenRepository.class);
  static final int BATCH = 500;
  /** Serializes migrations of nodes that start together (pg_advisory_xact_lock key). */
  private static final long MIGRATION_LOCK = 0x746f6b656e62L;
  private static final String COLUMNS = "id, provider, account, key_id, payload";

  private final Vertx vertx;
  private final Pool pool;
  private final TokenCipher cipher;
  private final long queryTimeoutMs;
  private final long connectTimeoutMs;

  private PgTokenRepository(Vertx vertx, Pool pool, TokenCipher cipher, StoreConfig.Limits limits) {
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
    this.queryTimeoutMs = limits.queryTimeoutMs();
    this.connectTimeoutMs = limits.connectTimeoutMs();
  }

  /** Creates the pool and brings the schema up to date; fails (within the time limits) when the database cannot be reached. */
  public static Future<PgTokenRepository> open(Vertx vertx, StoreConfig cfg, TokenCipher cipher) {
    // The pool is built on a context of its own, not the deploying verticle's: the verticle's
    // undeployment would otherwise wait for the pool to close, and a pool with a connection stuck in
    // the start-up handshake (a server that never answers) closes only once that socket is closed
    // (read idle timeout below), so a failed start would be reported late. The broker closes the
    // pool itself, waiting a bounded time (close()).
    PgConnectOptions address = connectOptions(cfg);
    Future<Void> answers = PgHandshakeProbe.check(vertx, address.getHost(), address.getPort(),
        cfg.limits().connectTimeoutMs() + cfg.limits().queryTimeoutMs());
    return answers.compose(v -> build(vertx, cfg, cipher));
  }

  private static Future<PgTokenRepository> build(Vertx vertx, StoreConfig cfg, TokenCipher cipher) {
    Context own = DetachedContext.create(vertx);
    Promise<PgTokenRepository> made = Promise.promise();
    own.runOnContext(v -> {
      try {
        made.complete(new PgTokenRepository(vertx, pool(vertx, cfg), cipher, cfg.limits()));
      } catch (RuntimeException e) {
        made.fail(e);
      }
    });
    Future<PgTokenRepository> built = made.future();
    return built.compose(repo -> repo.migrate().map(repo).recover(t -> repo.close().transform(ar -> Future.failedFuture(t))));
  }

  private static PgConnectOptions connectOptions(StoreConfig cfg) {
    String uri = cfg.jdbcUrl().startsWith("jdbc:") ? cfg.jdbcUrl().substring("jdbc:".length()) : cfg.jdbcUrl();
    PgConnectOptions connect = PgConnectOptions.fromUri(uri);
    if (cfg.user() != null) {
      connect.setUser(cfg.user());
    }
    if (cfg.password() != null) {
      connect.setPassword(cfg.password().reveal());
    }
    return connect;
  }

  static Pool pool(Vertx vertx, StoreConfig cfg) {
    PgConnectOptions connect = connectOptions(cfg);
    // "relation already exists, skipping" notices of the idempotent migrations are not worth a warning
    connect.addProperty("client_min_messages", "warning");
    StoreConfig.Limits limits = cfg.limits();
    PoolOptions poolOptions = new PoolOptions()
        .setMaxSize(limits.poolSize())
        .setMaxWaitQueueSize(1000)
        .setIdleTimeout((int) limits.idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setPoolCleanerPeriod((int) Math.min(1000, limits.idleTimeoutMs()))
        // No pool-side acquire timeout: acquire() bounds the wait itself. In vertx-sql-client 5.0.10 a
        // pool waiter whose timeout fired while its connection was still connecting makes the pool's
        // close throw a NullPointerException (SqlConnectionPool.PoolRequest.complete, null lease)
        // and never complete.
        .setConnectionTimeout(0)
        .setName("token-store");
    // A server that accepts but never completes the start-up handshake would hold a pool slot for
    // ever (the client has no handshake timeout): nothing read for longer than any legitimate wait
    // closes the socket. Idle pooled connections are evicted before that by the pool's idle timeout.
    long readIdleMs = Math.max(limits.idleTimeoutMs(), limits.queryTimeoutMs()) + limits.connectTimeoutMs();
    NetClientOptions net = new NetClientOptions().setConnectTimeout((int) limits.connectTimeoutMs()).setTcpKeepAlive(true)
        .setReadIdleTimeout((int) readIdleMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    return PgBuilder.pool().with(poolOptions).with(net).connectingTo(connect).using(vertx).build();
  }

  private Future<Void> migrate() {
    // generous: nodes starting together wait for each other's migration
    return withConnection("migrating the schema", Math.max(30_000, queryTimeoutMs * 4), c -> c.begin().compose(tx ->
        c.query("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")").execute()
            .compose(v -> c.query(SchemaMigrations.VERSION_TABLE).execute())
            .compose(v -> c.query(SchemaMigrations.CURRENT_VERSION).execute())
            .compose(rows -> {
              int current = rows.iterator().next().getInteger(0);
              Future<Void> steps = Future.succeededFuture();
              for (SchemaMigrations.Migration m : SchemaMigrations.after(current)) {
                for (String sql : m.statements()) {
                  steps = steps.compose(v -> c.query(sql).execute().mapEmpty());
                }
                steps = steps.compose(v -> c.preparedQuery("INSERT INTO tb_schema_version (version, description, applied_at) VALUES ($1, $2, $3)")
                    .execute(Tuple.of(m.version(), m.description(), System.currentTimeMillis())).<Void>mapEmpty())
                    .onSuccess(v -> LOG.info("Token store schema migrated to version " + m.version() + " (" + m.description() + ")"));
              }
              return steps;
            })
            .compose(v -> tx.commit())
            .recover(t -> tx.rollback().transform(ar -> Future.failedFuture(t)))));
  }

  /** The pool (for the store benchmark's baseline on the same connections). */
  public Pool sqlPool() {
    return pool;
  }

  @Override
  public Future<Boolean> save(Token token) {
    String id = token.key().id();
    String payload = cipher.seal(id, TokenCodec.encode(token));
    return withConnection("saving a token", c -> c.preparedQuery(
        "INSERT INTO tb_tokens (id, provider, account, version, key_id, payload, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            + "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, key_id = EXCLUDED.key_id, payload = EXCLUDED.payload, "
            + "updated_at = EXCLUDED.updated_at WHERE tb_tokens.version <= EXCLUDED.version")
        .execute(insertTuple(token, payload)).map(rows -> rows.rowCount() == 1));
  }

  @Override
  public Future<Boolean> compareAndSet(Token token, long expectedVersion) {
    String id = token.key().id();
    String payload = cipher.seal(id, TokenCodec.encode(token));
    if (expectedVersion == 0) {
      return withConnection("storing a new token", c -> c.preparedQuery(
          "INSERT INTO tb_tokens (id, provider, account, version, key_id, payload, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
              + "ON CONFLICT (id) DO NOTHING")
          .execute(insertTuple(token, payload)).map(rows -> rows.rowCount() == 1));
    }
    return withConnection("storing a rotated token", c -> c.preparedQuery(
        "UPDATE tb_tokens SET version = $1, key_id = $2, payload = $3, updated_at = $4 WHERE id = $5 AND version = $6")
        .execute(Tuple.of(token.version(), cipher.currentKeyId(), payload, System.currentTimeMillis(), id, expectedVersion))
        .map(rows -> rows.rowCount() == 1));
  }

  private Tuple insertTuple(Token token, String payload) {
    return Tuple.tuple(List.of(token.key().id(), token.key().provider(), token.key().account(), token.version(),
        cipher.currentKeyId(), payload, System.currentTimeMillis()));
  }

  @Override
  public Future<TokenRepository.Row> load(TokenKey key) {
    return withConnection("loading a token", c -> c.preparedQuery("SELECT " + COLUMNS + " FROM tb_tokens WHERE id = $1")
        .execute(Tuple.of(key.id())).map(rows -> rows.iterator().hasNext() ? row(rows.iterator().next()) : null));
  }

  /**
   * Reads through a server-side cursor, {@value #BATCH} rows at a time, in one read-only
   * transaction; each read is bounded by the query timeout, not the whole load.
   */
  @Override
  public Future<Long> loadAll(Function<List<TokenRepository.Row>, Future<Void>> batch) {
    return acquire("reading stored tokens").compose(c -> bounded("starting to read stored tokens", c, c.begin()).compose(tx ->
        bounded("starting to read stored tokens", c, c.prepare("SELECT " + COLUMNS + " FROM tb_tokens"))
        .compose(ps -> readAll(c, ps.cursor(), batch, 0).compose(n -> ps.close().map(n)))
        .compose(n -> tx.commit().map(n))
        .recover(t -> tx.rollback().transform(ar -> Future.failedFuture(t))))
        .onComplete(ar -> handBack(c, ar)));
  }

  private Future<Long> readAll(SqlConnection c, Cursor cursor, Function<List<TokenRepository.Row>, Future<Void>> batch, long read) {
    return bounded("reading stored tokens", c, cursor.read(BATCH)).compose(rows -> {
      List<TokenRepository.Row> decoded = new ArrayList<>(rows.size());
      for (io.vertx.sqlclient.Row r : rows) {
        decoded.add(row(r));
      }
      long total = read + decoded.size();
      Future<Void> handled = decoded.isEmpty() ? Future.succeededFuture() : batch.apply(decoded);
      return handled.compose(v -> cursor.hasMore() ? readAll(c, cursor, batch, total) : cursor.close().map(total));
    });
  }

  @Override
  public Future<Void> delete(TokenKey key) {
    return withConnection("deleting a token", c -> c.preparedQuery("DELETE FROM tb_tokens WHERE id = $1")
        .execute(Tuple.of(key.id())).mapEmpty());
  }

  @Override
  public Future<Void> ping() {
    return withConnection("the health probe", c -> c.query("SELECT 1").execute().mapEmpty());
  }

  /** Closes the pool; gives up waiting after the connect timeout (a connection stuck connecting can hold the close up). */
  @Override
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    long timer = vertx.setTimer(connectTimeoutMs, id -> {
      if (closed.tryComplete()) {
        LOG.warn("Token store pool not closed within " + connectTimeoutMs + " ms; left to close in the background");
      }
    });
    pool.close().onComplete(ar -> {
      vertx.cancelTimer(timer);
      closed.tryComplete();
    });
    return closed.future();
  }

  private TokenRepository.Row row(io.vertx.sqlclient.Row r) {
    return SealedRows.read(cipher, r.getString("id"), r.getString("provider"), r.getString("account"), r.getString("key_id"),
        r.getString("payload"));
  }

  private <T> Future<T> withConnection(String what, Function<SqlConnection, Future<T>> work) {
    return withConnection(what, queryTimeoutMs, work);
  }

  /**
   * Runs {@code work} on a pooled connection, handed back when it completes; when it takes longer
   * than {@code timeoutMs} the result fails at once and the connection is discarded.
   */
  private <T> Future<T> withConnection(String what, long timeoutMs, Function<SqlConnection, Future<T>> work) {
    return acquire(what).compose(c -> bounded(what, timeoutMs, c, work.apply(c)).onComplete(ar -> handBack(c, ar)));
  }

  /**
   * A pooled connection within the connect timeout. The pool has a timeout of its own, but a waiter
   * already paired with a connection that is still connecting cannot be cancelled, so a server that
   * never finishes the handshake would keep the caller waiting: this timer does not.
   */
  private Future<SqlConnection> acquire(String what) {
    Promise<SqlConnection> result = Promise.promise();
    long timer = vertx.setTimer(connectTimeoutMs, id -> result.tryFail(new StoreTimeoutException(
        "the token store did not answer: no connection for " + what + " within " + connectTimeoutMs + " ms")));
    pool.getConnection().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        if (!result.tryComplete(ar.result())) {
          ar.result().close(); // the caller gave up meanwhile
        }
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  /**
   * Returns the connection to the pool after success or an error the server reported (the
   * connection is fine); a timeout already discarded it; any other failure (a connection the server
   * ended, a lost socket) discards it too: the pool does not always notice a connection that died
   * under it and would hand it out again, failing every use (seen after a PostgreSQL restart).
   */
  private static void handBack(SqlConnection c, io.vertx.core.AsyncResult<?> ar) {
    if (ar.succeeded() || ar.cause() instanceof io.vertx.pgclient.PgException) {
      c.close();
    } else if (!(ar.cause() instanceof StoreTimeoutException)) {
      discard(c);
    }
  }

  private <T> Future<T> bounded(String what, SqlConnection c, Future<T> work) {
    return bounded(what, queryTimeoutMs, c, work);
  }

  private <T> Future<T> bounded(String what, long timeoutMs, SqlConnection c, Future<T> work) {
    Promise<T> result = Promise.promise();
    AtomicReference<SqlConnection> held = new AtomicReference<>(c);
    long timer = vertx.setTimer(timeoutMs, id -> {
      if (result.tryFail(new StoreTimeoutException("the token store did not answer " + what + " within " + timeoutMs + " ms"))) {
        SqlConnection stuck = held.getAndSet(null);
        if (stuck != null) {
          LOG.warn("Token store: " + what + " took longer than " + timeoutMs + " ms; its connection is discarded");
          discard(stuck);
        }
      }
    });
    work.onComplete(ar -> {
      vertx.cancelTimer(timer);
      held.set(null);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  /**
   * Closes the connection's socket so that the pool drops it (a plain close would hand it back to the
   * pool with the statement still running); the pool removes a connection whose socket closed, so it
   * is not handed back as well. The socket is reached through the SQL client's internal types
   * ({@link PgConnections}); if they ever change, the connection is at least handed back.
   */
  static void discard(SqlConnection c) {
    try {
      if (PgConnections.closeSocket(c)) {
        return;
      }
    } catch (RuntimeException e) {
      LOG.debug("Token store connection not closed at the socket: " + e);
    }
    c.close();
  }
}
