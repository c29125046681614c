package dev.tokenbroker.onboarding;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/** States of a node that runs alone, expiring by the clock; expired ones are dropped whenever a state is added. */
public final class LocalStateStore implements StateStore {
  private record Entry(PendingAuthorization pending, Instant expiresAt) {}

  private final ConcurrentHashMap<String, Entry> states = new ConcurrentHashMap<>();
  private final Clock clock;

  public LocalStateStore(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<Void> put(String stateDigest, PendingAuthorization pending, Duration ttl) {
    Instant now = clock.instant();
    states.values().removeIf(e -> !e.expiresAt().isAfter(now)); // expired states go; none outlives its TTL by long
    states.put(stateDigest, new Entry(pending, now.plus(ttl)));
    return Future.succeededFuture();
  }

  @Override
  public Future<PendingAuthorization> take(String stateDigest) {
    Entry e = states.remove(stateDigest);
    return Future.succeededFuture(e == null || !e.expiresAt().isAfter(clock.instant()) ? null : e.pending());
  }
}
