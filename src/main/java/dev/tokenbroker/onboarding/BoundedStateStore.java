package dev.tokenbroker.onboarding;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * At most {@code max} pending authorizations started on this node ({@code http.max-pending-authorizations}):
 * beyond, {@code put} fails with 503 {@code overloaded} and nothing is stored. A state counts from
 * its put until it is taken on this node or its TTL ends; in a cluster, a state whose callback
 * landed on another node counts here until its TTL ends, so the cap is per node and errs on the
 * side of refusing. The store underneath keeps its own expiry.
 */
public final class BoundedStateStore implements StateStore {
  private final StateStore delegate;
  private final int max;
  private final Clock clock;
  /** Digest to expiry of the states this node put; guarded by itself. */
  private final Map<String, Instant> counted = new LinkedHashMap<>();

  public BoundedStateStore(StateStore delegate, int max, Clock clock) {
    this.delegate = delegate;
    this.max = max;
    this.clock = clock;
  }

  @Override
  public Future<Void> put(String stateDigest, PendingAuthorization pending, Duration ttl) {
    Instant now = clock.instant();
    synchronized (counted) {
      counted.values().removeIf(expiry -> !expiry.isAfter(now));
      if (counted.size() >= max) {
        Instant first = counted.values().stream().min(Instant::compareTo).orElse(now);
        long retryAfter = Math.max(1, Duration.between(now, first).toSeconds());
        return Future.failedFuture(new BrokerException(ErrorCode.OVERLOADED, "this node has " + max
            + " authorizations pending (http.max-pending-authorizations); try again later", retryAfter));
      }
      counted.put(stateDigest, now.plus(ttl));
    }
    return delegate.put(stateDigest, pending, ttl).onFailure(t -> forget(stateDigest));
  }

  @Override
  public Future<PendingAuthorization> take(String stateDigest) {
    forget(stateDigest);
    return delegate.take(stateDigest);
  }

  /** Authorizations this node counts as pending now. */
  public int pending() {
    Instant now = clock.instant();
    synchronized (counted) {
      counted.values().removeIf(expiry -> !expiry.isAfter(now));
      return counted.size();
    }
  }

  private void forget(String stateDigest) {
    synchronized (counted) {
      counted.remove(stateDigest);
    }
  }
}
