package dev.tokenbroker.service;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * At most one operation in flight per key on this node: callers that arrive while one runs
 * share its result. The entry goes as soon as the operation completes.
 */
final class SingleFlight<K, V> {
  private final ConcurrentHashMap<K, Future<V>> inFlight = new ConcurrentHashMap<>();

  Future<V> run(K key, Supplier<Future<V>> operation) {
    Promise<V> promise = Promise.promise();
    Future<V> existing = inFlight.putIfAbsent(key, promise.future());
    if (existing != null) {
      return existing;
    }
    Future<V> result;
    try {
      result = operation.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      inFlight.remove(key, promise.future());
      promise.handle(ar);
    });
    return promise.future();
  }

  boolean isRunning(K key) {
    return inFlight.containsKey(key);
  }

  /** Completes once every operation in flight now has completed, however it ended. */
  Future<Void> drain() {
    return Future.join(java.util.List.copyOf(inFlight.values())).<Void>mapEmpty().otherwiseEmpty();
  }

  int size() {
    return inFlight.size();
  }
}
