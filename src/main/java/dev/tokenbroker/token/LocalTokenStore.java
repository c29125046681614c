package dev.tokenbroker.token;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The store of a node that runs without a cluster: a concurrent map in this JVM. */
public final class LocalTokenStore implements TokenStore {
  private final ConcurrentHashMap<TokenKey, Token> tokens = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  @Override
  public Token cached(TokenKey key) {
    return tokens.get(key);
  }

  @Override
  public int cachedCount() {
    return tokens.size();
  }

  @Override
  public Collection<Token> cachedAll() {
    return List.copyOf(tokens.values());
  }

  @Override
  public Future<Token> load(TokenKey key) {
    return Future.succeededFuture(tokens.get(key));
  }

  @Override
  public Future<Boolean> compareAndSet(TokenKey key, long expectedVersion, Token next) {
    boolean[] stored = {false};
    tokens.compute(key, (k, current) -> {
      long currentVersion = current == null ? 0 : current.version();
      if (currentVersion != expectedVersion) {
        return current;
      }
      stored[0] = true;
      return next;
    });
    if (stored[0]) {
      listeners.forEach(l -> l.updated(next));
    }
    return Future.succeededFuture(stored[0]);
  }

  @Override
  public Future<Void> remove(TokenKey key) {
    if (tokens.remove(key) != null) {
      listeners.forEach(l -> l.removed(key));
    }
    return Future.succeededFuture();
  }

  @Override
  public void listen(Listener listener) {
    listeners.add(listener);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
