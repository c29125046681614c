package dev.tokenbroker.onboarding;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * Single-use OAuth {@code state} values. Shared by the cluster so the callback may land on any
 * node. Keys are digests of the state, never the state itself.
 */
public interface StateStore {

  Future<Void> put(String stateDigest, PendingAuthorization pending, Duration ttl);

  /** Removes and returns the pending authorization; null when unknown, expired or already used. */
  Future<PendingAuthorization> take(String stateDigest);
}
