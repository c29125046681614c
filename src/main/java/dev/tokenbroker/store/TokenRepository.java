package dev.tokenbroker.store;

import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * Tokens in a SQL table ({@code tb_tokens}), sealed by the {@link TokenCipher}. Every operation is
 * bounded by the store's query timeout and fails (never hangs) when the database does not answer.
 */
public interface TokenRepository {

  /** A row read back: the token, or why it cannot be read. */
  record Row(TokenKey key, Token token, String unreadable) {}

  /** Upserts unless a newer version is stored; false then (nothing changed). */
  Future<Boolean> save(Token token);

  /**
   * Stores {@code token} only if the stored row still has {@code expectedVersion} (0: no row); false
   * when another writer got there first, and nothing is changed then. The database is the judge
   * between nodes that do not share a cache (for instance both sides of a partition).
   */
  Future<Boolean> compareAndSet(Token token, long expectedVersion);

  /** The row of {@code key}, or null. */
  Future<Row> load(TokenKey key);

  /**
   * Streams every row in batches: {@code batch} is called with one batch at a time and the next is
   * read only once the future it returns completes (nothing holds all rows at once). Completes with
   * the number of rows read.
   */
  Future<Long> loadAll(Function<List<Row>, Future<Void>> batch);

  Future<Void> delete(TokenKey key);

  /** A cheap round trip to the database, for the health probe. */
  Future<Void> ping();

  Future<Void> close();
}
