package dev.tokenbroker.store;

import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tokens the cache holds but the database does not have yet. Per token at most one save is in
 * flight; a newer version offered meanwhile - or a later write of the same version, such as a
 * failure or the mark of a call about to be made - replaces the one waiting, so the latest write is
 * the one that lands, and an older save never follows a newer one. Writes are told apart by a
 * sequence number, not by version, so a same-version write is only reported durable once it is
 * stored itself. A token leaves this set once its latest write is stored (or the database holds a
 * newer version still).
 */
final class DurableWrites {
  private static final Log LOG = Log.of(DurableWrites.class);

  private static final class Entry {
    Token latest;
    long latestSeq; // the write that offered latest
    long durableSeq; // the latest write known to be stored (or covered by a newer version stored)
    Future<Void> running;
  }

  private final TokenRepository repository;
  private final Map<TokenKey, Entry> entries = new HashMap<>(); // guarded by this
  private long writes; // guarded by this

  DurableWrites(TokenRepository repository) {
    this.repository = repository;
  }

  synchronized int count() {
    return entries.size();
  }

  synchronized boolean pending(TokenKey key) {
    return entries.containsKey(key);
  }

  /**
   * Makes {@code token} (or a newer version of its key) durable: completes when the database has
   * it; fails when the save fails, and the token stays pending for {@link #retry}.
   */
  Future<Void> write(Token token) {
    long wanted;
    synchronized (this) {
      Entry e = entries.computeIfAbsent(token.key(), k -> new Entry());
      if (e.latest == null || token.version() >= e.latest.version()) {
        e.latest = token;
        e.latestSeq = ++writes;
      }
      wanted = e.latestSeq; // an older version offered now is covered by the newer one waiting
    }
    return flush(token.key(), wanted, true);
  }

  /** Starts one save for each pending token that has none in flight. */
  void retry() {
    List<Map.Entry<TokenKey, Long>> due;
    synchronized (this) {
      due = entries.entrySet().stream().filter(e -> e.getValue().running == null)
          .map(e -> Map.entry(e.getKey(), e.getValue().latestSeq)).toList();
    }
    for (Map.Entry<TokenKey, Long> d : due) {
      flush(d.getKey(), d.getValue(), false).onSuccess(v -> LOG.info("Token " + d.getKey() + " is now stored durably"));
    }
  }

  /** Forgets the key (it is being deleted) once any save in flight for it has finished. */
  Future<Void> forget(TokenKey key) {
    Future<Void> running;
    synchronized (this) {
      Entry e = entries.remove(key);
      running = e == null || e.running == null ? Future.succeededFuture() : e.running;
    }
    return running.otherwiseEmpty();
  }

  /**
   * Ensures write {@code wanted} or a later one is stored. If a save is in flight, waits for it and
   * then (once, when {@code again}) saves the latest write if that is still needed.
   */
  private Future<Void> flush(TokenKey key, long wanted, boolean again) {
    Future<Void> waitFor;
    synchronized (this) {
      Entry e = entries.get(key);
      if (e == null) {
        return Future.succeededFuture(); // stored (or forgotten)
      }
      if (e.running == null) {
        e.running = save(key, e, e.latest, e.latestSeq);
        waitFor = e.running;
        again = false;
      } else {
        waitFor = e.running;
      }
    }
    boolean retryAfter = again;
    return waitFor.transform(ar -> {
      synchronized (this) {
        Entry e = entries.get(key);
        if (e == null || e.durableSeq >= wanted) {
          return Future.succeededFuture();
        }
      }
      if (retryAfter) {
        return flush(key, wanted, false);
      }
      return ar.failed() ? Future.failedFuture(ar.cause())
          : Future.failedFuture(new IllegalStateException("a newer version is still being stored"));
    });
  }

  private Future<Void> save(TokenKey key, Entry e, Token token, long seq) {
    return repository.save(token).transform(ar -> {
      synchronized (this) {
        e.running = null;
        if (ar.succeeded()) {
          e.durableSeq = Math.max(e.durableSeq, seq);
          if (!ar.result()) {
            LOG.warn("Token " + key + " v" + token.version() + " not stored: the durable store holds a newer version");
          }
          if (entries.get(key) == e && e.latestSeq <= seq) {
            entries.remove(key);
          }
        }
      }
      return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
    });
  }
}
