package dev.tokenbroker.store;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Write-through durability in front of the shared cache (the local map or the Hazelcast map): a
 * change is stored in the cache, then in SQL, and only then acknowledged. When the SQL write
 * fails, the new token stays in memory (the old refresh token may already be spent), the write
 * is retried every few seconds, the caller gets an error and {@code /ready} reports it. Tokens
 * are loaded from SQL at start-up and on a cache miss.
 */
public final class DurableTokenStore implements TokenStore {
  private static final Logger LOG = LoggerFactory.getLogger(DurableTokenStore.class);
  private static final long RETRY_MS = 2000;

  private final Vertx vertx;
  private final TokenStore cache;
  private final SqlTokenRepository repository;
  private final Set<TokenKey> pending = ConcurrentHashMap.newKeySet();
  private long retryTimer = -1;

  private DurableTokenStore(Vertx vertx, TokenStore cache, SqlTokenRepository repository) {
    this.vertx = vertx;
    this.cache = cache;
    this.repository = repository;
  }

  /** Loads every readable stored token into the cache (keeping newer cached ones); logs the unreadable ones. */
  public static Future<DurableTokenStore> start(Vertx vertx, TokenStore cache, SqlTokenRepository repository) {
    DurableTokenStore store = new DurableTokenStore(vertx, cache, repository);
    return repository.loadAll().compose(rows -> {
      int loaded = 0;
      for (SqlTokenRepository.Row row : rows) {
        if (row.token() == null) {
          LOG.error("Stored token " + row.key() + " cannot be read: " + row.unreadable());
        } else if (cache.cached(row.key()) == null) {
          cache.compareAndSet(row.key(), 0, row.token());
          loaded++;
        }
      }
      LOG.info("Loaded " + loaded + " token(s) from the durable store");
      store.retryTimer = vertx.setPeriodic(RETRY_MS, id -> store.retryPending());
      return Future.succeededFuture(store);
    });
  }

  @Override
  public Token cached(TokenKey key) {
    return cache.cached(key);
  }

  @Override
  public int cachedCount() {
    return cache.cachedCount();
  }

  @Override
  public Collection<Token> cachedAll() {
    return cache.cachedAll();
  }

  @Override
  public Future<Token> load(TokenKey key) {
    return cache.load(key).compose(token -> {
      if (token != null || pending.contains(key)) {
        return Future.succeededFuture(token);
      }
      return repository.load(key).compose(row -> {
        if (row == null) {
          return Future.succeededFuture(null);
        }
        if (row.token() == null) {
          return Future.failedFuture(new BrokerException(ErrorCode.INTERNAL_ERROR,
              "the stored token of " + key + " cannot be read: " + row.unreadable()));
        }
        return cache.compareAndSet(key, 0, row.token()).compose(stored -> stored ? Future.succeededFuture(row.token()) : cache.load(key));
      });
    }, failure -> Future.failedFuture(unavailable(failure)));
  }

  /**
   * The database decides first: a change it refuses (another node stored a different version) is
   * never written to the cache, so it is never published; the cache then takes the database's
   * token. When the database cannot be reached, the change goes to the cache only, is kept as a
   * pending write and retried, and the caller gets an error (the old refresh token may be spent).
   */
  @Override
  public Future<Boolean> compareAndSet(TokenKey key, long expectedVersion, Token next) {
    if (pending.contains(key)) {
      return cacheThenRetry(key, expectedVersion, next); // the database is behind by design until the retry lands
    }
    return repository.compareAndSet(next, expectedVersion).transform(ar -> {
      if (ar.failed()) {
        return cacheThenRetry(key, expectedVersion, next);
      }
      if (!ar.result()) {
        LOG.warn("Token " + key + " v" + next.version() + " refused by the durable store (it holds another version);"
            + " the stored one is used");
        return adoptStored(key).map(false);
      }
      return cache.compareAndSet(key, expectedVersion, next).compose(stored -> stored ? Future.succeededFuture(true)
          : adoptStored(key).map(true));
    });
  }

  private Future<Boolean> cacheThenRetry(TokenKey key, long expectedVersion, Token next) {
    return cache.compareAndSet(key, expectedVersion, next).compose(stored -> {
      if (!stored) {
        return Future.succeededFuture(false);
      }
      return repository.save(next).transform(ar -> {
        if (ar.succeeded()) {
          pending.remove(key);
          return Future.succeededFuture(true);
        }
        pending.add(key);
        LOG.error("Token " + key + " v" + next.version() + " is kept in memory; the durable store failed and the write is retried");
        return Future.failedFuture(new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE,
            "the token was renewed but could not be stored durably yet; the broker keeps it and retries", RETRY_MS / 1000));
      });
    });
  }

  /** Puts the database's token into the cache, replacing whatever version the cache holds. */
  private Future<Void> adoptStored(TokenKey key) {
    return repository.load(key).compose(row -> {
      if (row == null || row.token() == null) {
        return Future.succeededFuture();
      }
      return cache.load(key).compose(cached -> cached != null && cached.equals(row.token()) ? Future.succeededFuture()
          : cache.compareAndSet(key, cached == null ? 0 : cached.version(), row.token()).mapEmpty());
    }).recover(t -> {
      LOG.warn("Token " + key + " could not be read back from the durable store: " + t.getMessage());
      return Future.succeededFuture();
    }).mapEmpty();
  }

  @Override
  public Future<Void> remove(TokenKey key) {
    return repository.delete(key)
        .recover(failure -> Future.failedFuture(unavailable(failure)))
        .compose(v -> {
          pending.remove(key);
          return cache.remove(key);
        });
  }

  @Override
  public void listen(Listener listener) {
    cache.listen(listener);
  }

  @Override
  public int pendingDurableWrites() {
    return pending.size();
  }

  @Override
  public Future<Void> close() {
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    return cache.close().compose(v -> repository.close());
  }

  private void retryPending() {
    for (TokenKey key : pending) {
      Token token = cache.cached(key);
      if (token == null) {
        pending.remove(key);
        continue;
      }
      repository.save(token).onSuccess(saved -> {
        pending.remove(key);
        LOG.info("Token " + key + " v" + token.version() + " is now stored durably");
      });
    }
  }

  private static BrokerException unavailable(Throwable failure) {
    return failure instanceof BrokerException be ? be
        : new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, "the durable token store is unavailable; try again", RETRY_MS / 1000);
  }
}
