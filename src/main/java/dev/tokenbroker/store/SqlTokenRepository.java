package dev.tokenbroker.store;

import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenCodec;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokens in a SQL table, one code path for the embedded file store (H2) and PostgreSQL. JDBC is
 * blocking, so every call runs on a worker thread; one connection, reopened after a failure.
 * Rows hold the token sealed by the {@link TokenCipher} and its key id.
 */
public final class SqlTokenRepository {
  private static final Logger LOG = LoggerFactory.getLogger(SqlTokenRepository.class);
  private static final String SCHEMA = "CREATE TABLE IF NOT EXISTS tb_tokens ("
      + "id VARCHAR(200) PRIMARY KEY, provider VARCHAR(32) NOT NULL, account VARCHAR(64) NOT NULL, "
      + "version BIGINT NOT NULL, key_id VARCHAR(16) NOT NULL, payload VARCHAR(32000) NOT NULL, updated_at BIGINT NOT NULL)";

  /** Opens connections; tests can make it fail to play an outage. */
  @FunctionalInterface
  public interface Connector {
    Connection connect() throws SQLException;
  }

  /** A row read back: the token, or why it cannot be read. */
  public record Row(TokenKey key, Token token, String unreadable) {}

  private final Vertx vertx;
  private final Connector connector;
  private final TokenCipher cipher;
  private Connection connection;

  private SqlTokenRepository(Vertx vertx, Connector connector, TokenCipher cipher) {
    this.vertx = vertx;
    this.connector = connector;
    this.cipher = cipher;
  }

  /** Connects and creates the table if needed. */
  public static Future<SqlTokenRepository> open(Vertx vertx, Connector connector, TokenCipher cipher) {
    SqlTokenRepository repo = new SqlTokenRepository(vertx, connector, cipher);
    return vertx.executeBlocking(() -> {
      repo.withConnection(c -> {
        try (Statement st = c.createStatement()) {
          st.execute(SCHEMA);
        }
        return null;
      });
      return repo;
    });
  }

  /** Upserts unless a newer version is stored; false then. */
  public Future<Boolean> save(Token token) {
    String id = token.key().id();
    String payload = cipher.seal(id, TokenCodec.encode(token));
    return vertx.executeBlocking(() -> withConnection(c -> {
      try (PreparedStatement up = c.prepareStatement(
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
    }), false);
  }

  /**
   * Stores {@code token} only if the stored row still has {@code expectedVersion} (0: no row); false
   * when another writer got there first, and nothing is changed then. The database is the judge
   * between nodes that do not share a cache (for instance both sides of a partition).
   */
  public Future<Boolean> compareAndSet(Token token, long expectedVersion) {
    String id = token.key().id();
    String payload = cipher.seal(id, TokenCodec.encode(token));
    return vertx.executeBlocking(() -> withConnection(c -> {
      if (expectedVersion == 0) {
        if (exists(c, id)) {
          return false;
        }
        insert(c, token, payload);
        return true;
      }
      try (PreparedStatement up = c.prepareStatement(
          "UPDATE tb_tokens SET version = ?, key_id = ?, payload = ?, updated_at = ? WHERE id = ? AND version = ?")) {
        up.setLong(1, token.version());
        up.setString(2, cipher.currentKeyId());
        up.setString(3, payload);
        up.setLong(4, System.currentTimeMillis());
        up.setString(5, id);
        up.setLong(6, expectedVersion);
        return up.executeUpdate() == 1;
      }
    }), false);
  }

  public Future<Row> load(TokenKey key) {
    return vertx.executeBlocking(() -> withConnection(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT id, provider, account, key_id, payload FROM tb_tokens WHERE id = ?")) {
        st.setString(1, key.id());
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? row(rs) : null;
        }
      }
    }), false);
  }

  public Future<List<Row>> loadAll() {
    return vertx.executeBlocking(() -> withConnection(c -> {
      List<Row> rows = new ArrayList<>();
      try (Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT id, provider, account, key_id, payload FROM tb_tokens")) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
      return rows;
    }), false);
  }

  public Future<Void> delete(TokenKey key) {
    return vertx.executeBlocking(() -> withConnection(c -> {
      try (PreparedStatement st = c.prepareStatement("DELETE FROM tb_tokens WHERE id = ?")) {
        st.setString(1, key.id());
        st.executeUpdate();
      }
      return null;
    }), false);
  }

  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      synchronized (this) {
        closeQuietly();
      }
      return null;
    });
  }

  private Row row(ResultSet rs) throws SQLException {
    String id = rs.getString("id");
    TokenKey key = new TokenKey(rs.getString("provider"), rs.getString("account"));
    try {
      return new Row(key, TokenCodec.decode(cipher.open(id, rs.getString("key_id"), rs.getString("payload"))), null);
    } catch (TokenCipher.UnreadableTokenException e) {
      return new Row(key, null, e.getMessage());
    } catch (RuntimeException e) {
      return new Row(key, null, "its stored form is not a token (" + e.getClass().getSimpleName() + ")");
    }
  }

  private void insert(Connection c, Token token, String payload) throws SQLException {
    try (PreparedStatement in = c.prepareStatement(
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

  private static boolean exists(Connection c, String id) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM tb_tokens WHERE id = ?")) {
      st.setString(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private synchronized <T> T withConnection(Work<T> work) throws SQLException {
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
