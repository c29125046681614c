package dev.tokenbroker.rotation;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;

/**
 * The lease table behind {@link RotationProtocol}: one record per token key, either a lease held
 * by one rotation or a backoff after failures. Implementations decide every change where the
 * record lives, atomically (the Hazelcast one in an entry processor), and check the holder
 * there: a {@link Lease} handle is the only way to extend, confirm, release or back off.
 */
public interface RotationLeases {

  /**
   * Asks for the lease of {@code key}. Granted leases end {@code ttl} after {@code now} unless
   * extended. Fails with 503 {@code provider_unavailable} when this node may not act for the
   * cluster (too few members: {@code cluster.min-members}).
   */
  Future<Permit> acquire(TokenKey key, Instant now, Duration ttl);

  /**
   * Right before the provider call: the lease must still be held by {@code lease} and, in a
   * cluster, enough members must be reachable now. Records that a call with the refresh token of
   * fingerprint {@code refreshFingerprint} (or null) is about to be made, so that a holder that
   * vanishes mid-call is noticed by the next one, and extends the lease by {@code ttl}.
   * Fails with 503 {@code provider_unavailable} when either check fails; nothing was sent then.
   */
  Future<Void> confirm(Lease lease, String refreshFingerprint, Instant now, Duration ttl);

  /** Ends the lease and forgets past failures. Only the holder: completes with false, changing nothing, otherwise. */
  Future<Boolean> release(Lease lease);

  /**
   * Turns the lease into a backoff record: nobody rotates the key before {@code retryAt}; the
   * failure count is remembered for the next holder. Only the holder: false, changing nothing, otherwise.
   */
  Future<Boolean> backOff(Lease lease, int failures, Instant retryAt, BrokerException error, Instant now);

  /**
   * Gives the lease up without ending it: after a failure whose effect on the stored token is
   * unknown (the provider may have answered and the answer may not be stored). The record ends
   * at its time, and the next holder learns that this call's outcome is unknown.
   */
  void abandon(Lease lease);

  /**
   * Forgets a backoff record (a new authorization, or the token was deleted). A lease held by a
   * rotation in progress is left alone: it belongs to its holder.
   */
  Future<Void> clearBackoff(TokenKey key);

  /**
   * Succeeds when this node may act for the cluster now (always, alone or without
   * {@code cluster.min-members}); otherwise 503 {@code provider_unavailable} saying why. A node cut
   * off from the others may lack tokens the cluster has, so "no token" is only believed with a quorum.
   */
  default Future<Void> quorum() {
    return Future.succeededFuture();
  }

  /**
   * The keys whose lease is held now (a rotation is under way somewhere in the cluster), for
   * listing accounts; not for decisions (the answer may be stale by the time it arrives).
   */
  Future<java.util.Set<TokenKey>> held(Instant now);

  /** Completes when the key's lease is released or ends, at the latest after {@code max}. */
  Future<Void> awaitRelease(TokenKey key, Duration max);

  /** Stops background work (lease renewals, listeners). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /**
   * A granted lease: the key, a holder id unique to this grant, how many failures came before,
   * and, when the previous holder's lease ended while it was calling the provider, the
   * fingerprint of the refresh token that call carried and when it was made (its outcome is unknown
   * since then).
   */
  record Lease(TokenKey key, String holder, int previousFailures, String abandonedCall, Instant abandonedSince) {
    /** A lease whose previous holder left no call behind. */
    public Lease(TokenKey key, String holder, int previousFailures) {
      this(key, holder, previousFailures, null, null);
    }

    @Override
    public String toString() {
      return "Lease[" + key.id() + " holder " + holder + "]";
    }
  }

  /** The answer to {@link #acquire}. */
  record Permit(Kind kind, Lease lease, int previousFailures, Instant retryAt, BrokerException error) {
    public enum Kind { GRANTED, BUSY, BACKING_OFF }

    public static Permit granted(Lease lease) {
      return new Permit(Kind.GRANTED, lease, lease.previousFailures(), null, null);
    }

    public static Permit busy() {
      return new Permit(Kind.BUSY, null, 0, null, null);
    }

    public static Permit backingOff(int failures, Instant retryAt, BrokerException error) {
      return new Permit(Kind.BACKING_OFF, null, failures, retryAt, error);
    }
  }
}
