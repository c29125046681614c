package dev.tokenbroker.token;

import dev.tokenbroker.error.BrokerException;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/** The gate of a node that runs alone: only the backoff to remember; never busy (the service's single flight covers the node). */
public final class LocalRotationGate implements RotationGate {
  private record Failure(int failures, Instant retryAt, BrokerException error) {}

  private final ConcurrentHashMap<TokenKey, Failure> failures = new ConcurrentHashMap<>();

  @Override
  public Future<Permit> enter(TokenKey key, Instant now, Duration leaseTtl) {
    Failure f = failures.get(key);
    if (f == null) {
      return Future.succeededFuture(Permit.granted(0));
    }
    if (f.retryAt().isAfter(now)) {
      return Future.succeededFuture(Permit.backingOff(f.failures(), f.retryAt(), f.error()));
    }
    return Future.succeededFuture(Permit.granted(f.failures()));
  }

  @Override
  public Future<Void> release(TokenKey key) {
    failures.remove(key);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> backOff(TokenKey key, int count, Instant retryAt, BrokerException error, Instant now) {
    failures.put(key, new Failure(count, retryAt, error));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> awaitRelease(TokenKey key, Duration max) {
    return Future.succeededFuture();
  }
}
