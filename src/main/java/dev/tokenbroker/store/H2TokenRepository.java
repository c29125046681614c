package dev.tokenbroker.store;

import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenCodec;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Tokens in the embedded H2 file database of a single node. H2 runs inside this JVM (no network,
 * one process may open the file), so its JDBC calls run on one dedicated worker thread that owns
 * one connection: calls are queued in order, never on an event loop nor on the shared worker pool.
 * Every statement has a JDBC query timeout (H2 cancels it, lock waits included), and every
 * operation a timer that fails the caller when its queue wait and statement run out of time.
 */
public final class H2TokenRepository implements TokenRepository {
  private static final Log LOG = Log.of(H2TokenRepository.class);
  static final int BATCH = 500;
  private static final String COLUMNS = "id, provider, account, key_id, payload";

  /** Opens connections; tests can make it fail to play an outage. */
  @FunctionalInterface
  public interface Connector {
    Connection connect() throws SQLException;
  }

  private final Vertx vertx;
  private final Connector connector;
  private final TokenCipher cipher;
  private final long queryTimeoutMs;
  private final WorkerExecutor worker;
  private Connection connection; // used by the worker thread only

  private H2TokenRepository(Vertx vertx, Connector connector, TokenCipher cipher, long queryTimeoutMs) {
    this.vertx = vertx;
    this.connector = connector;
    this.cipher = cipher;
    this.queryTimeoutMs = queryTimeoutMs;
    this.worker = vertx.createSharedWorkerExecutor("token-store-h2-" + UUID.randomUUID(), 1, queryTimeoutMs * 2, TimeUnit.MILLISECONDS);
  }

  /** Connects and brings the schema up to date. */
  public static Future<H2TokenRepository> open(Vertx vertx, Connector connector, TokenCipher cipher, long queryTimeoutMs) {
    H2TokenRepository repo = new H2TokenRepository(vertx, connector, cipher, queryTimeoutMs);
    return repo.run("migrating the schema", queryTimeoutMs * 4, repo::migrate).map(repo)
        .recover(t -> repo.close().transform(ar -> Future.failedFuture(t)));
  }

  private H2TokenRepository migrate(Connection c) throws SQLException {
    try (Statement st = statement(c)) {
      st.execute(SchemaMigrations.VERSION_TABLE);
      int current;
      try (ResultSet rs = st.executeQuery(SchemaMigrations.CURRENT_VERSION)) {
        rs.next();
        current = rs.getInt(1);
      }
      for (SchemaMigrations.Migration m : SchemaMigrations.after(current)) {
        c.setAutoCommit(false);
        try {
          for (String sql : m.statements()) {
            st.execute(sql);
          }
          try (PreparedStatement in = prepare(c, "INSERT INTO tb_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
            in.setInt(1, m.version());
            in.setString(2, m.description());
            in.setLong(3, System.currentTimeMillis());
            in.executeUpdate();
          }
          c.commit();
          LOG.info("Token store schema migrated to version " + m.version() + " (" + m.description() + ")");
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
    }
    return this;
  }

  @Override
  public Future<Boolean> save(Token token) {
    String id = token.key().id();
    String payload = cipher.seal(id, TokenCodec.encode(token));
    return run("saving a token", c -> {
      try (PreparedStatement up = prepare(c,
          "UPDATE tb_tokens SET version = ?, key_id = ?, payload = ?, updated_at = ? WHERE id = ? AND version <= ?")) {
        up.setLong(1, token.version());
        up.setString(2, cipher.currentKeyId());
        up.setString(3, payload);
        up.setLong(4, System.currentTimeMillis());
        up.setString(5, id);
        up.setLong(6, token.version());
        if (up.executeUpdate() == 1) {
          return true;
        }
      }
      if (exists(c, id)) {
        return false;
      }
      insert(c, token, payload);
      return true;
    });
  }

  @Override
  public Future<Boolean> compareAndSet(Token token, long expectedVersion) {
    String id = token.key().id();
    String payload = cipher.seal(id, TokenCodec.encode(token));
    return run("storing a rotated token", c -> {
      if (expectedVersion == 0) {
        if (exists(c, id)) {
          return false;
        }
        insert(c, token, payload);
        return true;
      }
      try (PreparedStatement up = prepare(c,
          "UPDATE tb_tokens SET version = ?, key_id = ?, payload = ?, updated_at = ? WHERE id = ? AND version = ?")) {
        up.setLong(1, token.version());
        up.setString(2, cipher.currentKeyId());
        up.setString(3, payload);
        up.setLong(4, System.currentTimeMillis());
        up.setString(5, id);
        up.setLong(6, expectedVersion);
        return up.executeUpdate() == 1;
      }
    });
  }

  @Override
  public Future<Row> load(TokenKey key) {
    return run("loading a token", c -> {
      try (PreparedStatement st = prepare(c, "SELECT " + COLUMNS + " FROM tb_tokens WHERE id = ?")) {
        st.setString(1, key.id());
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? row(rs) : null;
        }
      }
    });
  }

  /** Pages through the table by id ({@value #BATCH} rows a page), each page one bounded query. */
  @Override
  public Future<Long> loadAll(Function<List<Row>, Future<Void>> batch) {
    return page(null, batch, 0);
  }

  private Future<Long> page(String after, Function<List<Row>, Future<Void>> batch, long read) {
    return run("reading stored tokens", c -> {
      try (PreparedStatement st = prepare(c, "SELECT " + COLUMNS + " FROM tb_tokens"
          + (after == null ? "" : " WHERE id > ?") + " ORDER BY id LIMIT " + BATCH)) {
        if (after != null) {
          st.setString(1, after);
        }
        List<Row> rows = new ArrayList<>();
        String last = null;
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            last = rs.getString("id");
            rows.add(row(rs));
          }
        }
        return new Page(rows, last);
      }
    }).compose(page -> {
      if (page.rows().isEmpty()) {
        return Future.succeededFuture(read);
      }
      long total = read + page.rows().size();
      return batch.apply(page.rows()).compose(v -> page.rows().size() < BATCH ? Future.succeededFuture(total)
          : page(page.lastId(), batch, total));
    });
  }

  private record Page(List<Row> rows, String lastId) {}

  @Override
  public Future<Void> delete(TokenKey key) {
    return run("deleting a token", c -> {
      try (PreparedStatement st = prepare(c, "DELETE FROM tb_tokens WHERE id = ?")) {
        st.setString(1, key.id());
        st.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Future<Void> ping() {
    return run("the health probe", c -> {
      try (Statement st = statement(c)) {
        st.execute("SELECT 1");
      }
      return null;
    });
  }

  @Override
  public Future<Void> close() {
    return worker.<Void>executeBlocking(() -> {
      closeQuietly();
      return null;
    }).eventually(worker::close);
  }

  private Row row(ResultSet rs) throws SQLException {
    return SealedRows.read(cipher, rs.getString("id"), rs.getString("provider"), rs.getString("account"), rs.getString("key_id"),
        rs.getString("payload"));
  }

  private void insert(Connection c, Token token, String payload) throws SQLException {
    try (PreparedStatement in = prepare(c,
        "INSERT INTO tb_tokens (id, provider, account, version, key_id, payload, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      in.setString(1, token.key().id());
      in.setString(2, token.key().provider());
      in.setString(3, token.key().account());
      in.setLong(4, token.version());
      in.setString(5, cipher.currentKeyId());
      in.setString(6, payload);
      in.setLong(7, System.currentTimeMillis());
      in.executeUpdate();
    }
  }

  private boolean exists(Connection c, String id) throws SQLException {
    try (PreparedStatement st = prepare(c, "SELECT 1 FROM tb_tokens WHERE id = ?")) {
      st.setString(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }

  private PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement st = c.prepareStatement(sql);
    st.setQueryTimeout(timeoutSeconds());
    return st;
  }

  private Statement statement(Connection c) throws SQLException {
    Statement st = c.createStatement();
    st.setQueryTimeout(timeoutSeconds());
    return st;
  }

  private int timeoutSeconds() {
    return (int) Math.max(1, (queryTimeoutMs + 999) / 1000);
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> Future<T> run(String what, Work<T> work) {
    return run(what, queryTimeoutMs * 2, work);
  }

  /**
   * Queues {@code work} on the store's worker; the caller's future fails after {@code timeoutMs}
   * (queue wait included) even if the worker is still busy.
   */
  private <T> Future<T> run(String what, long timeoutMs, Work<T> work) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, id -> result.tryFail(
        new StoreTimeoutException("the token store did not answer " + what + " within " + timeoutMs + " ms")));
    worker.<T>executeBlocking(() -> {
      if (result.future().isComplete()) {
        throw new StoreTimeoutException("skipped: the caller stopped waiting for " + what);
      }
      return withConnection(work);
    }, true).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  private <T> T withConnection(Work<T> work) throws SQLException {
    try {
      if (connection == null || connection.isClosed()) {
        connection = connector.connect();
      }
      return work.run(connection);
    } catch (SQLException e) {
      closeQuietly();
      LOG.warn("Token store operation failed: " + e.getMessage());
      throw e;
    }
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the connection is gone either way
      }
      connection = null;
    }
  }
}
