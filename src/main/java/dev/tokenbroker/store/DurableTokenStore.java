package dev.tokenbroker.store;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenStore;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write-through durability in front of the shared cache (the local map or the Hazelcast map): a
 * change is stored in the cache, then in SQL, and only then acknowledged. When the SQL write
 * fails, the new token stays in memory (the old refresh token may already be spent), the write
 * is retried every few seconds (one save per token at a time, the newest version wins), the caller
 * gets an error and {@code /ready} reports it. Tokens are streamed from SQL into the cache at
 * start-up and loaded on a cache miss. {@code /ready} reads a health probe run every few seconds.
 */
public final class DurableTokenStore implements TokenStore {
  private static final Log LOG = Log.of(DurableTokenStore.class);
  private static final long RETRY_MS = 2000;
  private static final int UNREADABLE_LOGGED = 20;

  private final Vertx vertx;
  private final TokenStore cache;
  private final TokenRepository repository;
  private final DurableWrites writes;
  private final StoreHealth health;
  private long retryTimer = -1;

  private DurableTokenStore(Vertx vertx, TokenStore cache, TokenRepository repository) {
    this.vertx = vertx;
    this.cache = cache;
    this.repository = repository;
    this.writes = new DurableWrites(repository);
    this.health = new StoreHealth(vertx, repository);
  }

  /**
   * Streams every stored token into the cache (keeping newer cached ones), a batch at a time; logs
   * the unreadable ones.
   */
  public static Future<DurableTokenStore> start(Vertx vertx, TokenStore cache, TokenRepository repository) {
    DurableTokenStore store = new DurableTokenStore(vertx, cache, repository);
    AtomicLong loaded = new AtomicLong();
    AtomicLong unreadable = new AtomicLong();
    long started = System.nanoTime();
    return repository.loadAll(rows -> {
      List<Future<Boolean>> puts = new ArrayList<>(rows.size());
      for (TokenRepository.Row row : rows) {
        if (row.token() == null) {
          if (unreadable.incrementAndGet() <= UNREADABLE_LOGGED) {
            LOG.error("Stored token " + row.key() + " cannot be read: " + row.unreadable());
          }
        } else if (cache.cached(row.key()) == null) {
          puts.add(cache.compareAndSet(row.key(), 0, row.token()));
          loaded.incrementAndGet();
        }
      }
      return Future.all(puts).mapEmpty();
    }).map(rows -> {
      if (unreadable.get() > UNREADABLE_LOGGED) {
        LOG.error((unreadable.get() - UNREADABLE_LOGGED) + " more stored token(s) cannot be read (see the lines above for the reasons)");
      }
      LOG.info("Loaded " + loaded.get() + " token(s) of " + rows + " row(s) from the durable store in "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
      store.retryTimer = vertx.setPeriodic(RETRY_MS, id -> store.writes.retry());
      store.health.start();
      return store;
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
      if (token != null || writes.pending(key)) {
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
    if (writes.pending(key)) {
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
      return writes.write(next).transform(ar -> {
        if (ar.succeeded()) {
          return Future.succeededFuture(true);
        }
        LOG.error("Token " + key + " v" + next.version() + " is kept in memory; the durable store failed ("
            + ar.cause().getMessage() + ") and the write is retried");
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
    return writes.forget(key)
        .compose(v -> repository.delete(key))
        .recover(failure -> Future.failedFuture(unavailable(failure)))
        .compose(v -> cache.remove(key));
  }

  @Override
  public void listen(Listener listener) {
    cache.listen(listener);
  }

  @Override
  public int pendingDurableWrites() {
    return writes.count();
  }

  /** The cache answers and the last health probe reached the database (no query here). */
  @Override
  public Future<Void> ready(TokenKey probe) {
    String problem = health.problem();
    if (problem != null) {
      return Future.failedFuture(problem);
    }
    return cache.ready(probe);
  }

  @Override
  public Future<Void> close() {
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    health.stop();
    return cache.close().compose(v -> repository.close());
  }

  private static BrokerException unavailable(Throwable failure) {
    return failure instanceof BrokerException be ? be
        : new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, "the durable token store is unavailable; try again", RETRY_MS / 1000);
  }
}
