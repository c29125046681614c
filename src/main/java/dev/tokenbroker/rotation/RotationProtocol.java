package dev.tokenbroker.rotation;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenNeed;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;

/**
 * How one rotation of a token happens across the cluster, whatever the grant. Invariants:
 * <ol>
 *   <li><b>A refresh token is never sent while an earlier call with it may be in flight, and never
 *       after an answer for it arrived.</b> Only the holder of the key's lease calls the provider,
 *       and only after it has read the token again under the lease (a previous holder may just have
 *       stored a newer one: an answer that arrived is stored before the lease is left) and
 *       {@linkplain RotationLeases#confirm confirmed} the lease (and, with {@code cluster.min-members},
 *       the quorum) right before the call. A call ends by its deadline, its connection closed, before
 *       its holder leaves the lease.</li>
 *   <li><b>An unknown outcome is written down before it can happen.</b> Before a call with a rotating
 *       refresh token the {@link Rotation} records the intent on the stored token
 *       ({@link Token#unansweredSince}; with a durable store it survives a full restart), and the
 *       lease records the call; an answer clears the mark, a lost answer keeps it.</li>
 *   <li><b>A lease outlives the call made under it.</b> Its TTL is the provider call's hard deadline
 *       plus {@link #MARGIN}, set again when the call starts, and the holder's node extends it while
 *       it stores the result.</li>
 *   <li><b>Only the holder releases or backs off</b>; the holder id is checked where the lease record
 *       lives, so a late or foreign release changes nothing.</li>
 *   <li><b>A call whose outcome is unknown is replayed, or never repeated, as the provider's
 *       {@code lost-answer} says.</b> If the stored token carries the mark, or a lease ended while
 *       its holder was calling the provider with the same refresh token (the node died or was cut
 *       off), the next call is a replay ({@link Rotation#perform} is told since when the answer is
 *       lost); when the {@link Rotation} may not replay it, it decides without sending
 *       ({@link Rotation#unreplayable}).</li>
 *   <li><b>Failures back off cluster-wide</b>: the lease becomes a backoff record every node honours.</li>
 *   <li>A caller that finds the lease busy waits for it and reads what the holder stored; it never
 *       calls the provider while another holder is active.</li>
 *   <li><b>A renewal never creates a token</b> ({@link TokenNeed#existingOnly()}): when the token is
 *       gone (deleted), it is read again under the lease and the rotation ends with null, without a
 *       provider call.</li>
 * </ol>
 * When the outcome of a rotation is unknown to the protocol itself (the {@link Rotation} failed
 * without an {@link Outcome}), the lease is {@linkplain RotationLeases#abandon abandoned}: it ends
 * by itself and the next holder treats the call as interrupted.
 */
public final class RotationProtocol {
  /** Added to the provider deadline for a lease's TTL: storing the result and clock differences. */
  public static final Duration MARGIN = Duration.ofSeconds(10);
  private static final Log LOG = Log.of(RotationProtocol.class);
  private static final int BUSY_ATTEMPTS = 3;

  private final TokenStore store;
  private final RotationLeases leases;
  private final TokenPolicy policy;
  private final FailurePolicy failures;

  public RotationProtocol(TokenStore store, RotationLeases leases, TokenPolicy policy, FailurePolicy failures) {
    this.store = store;
    this.leases = leases;
    this.policy = policy;
    this.failures = failures;
  }

  /** One grant-specific rotation: the parts of a rotation the protocol leaves to its caller. */
  public interface Rotation {
    /** The grant that would renew {@code current}; throws a {@link BrokerException} when none can (e.g. 401). */
    TokenGrant plan(Token current);

    /** True when {@code grant} may be sent although an earlier call with it has no known outcome. */
    boolean mayReplay(TokenGrant grant);

    /**
     * Right before the call, while the lease is held: records on the stored token {@code current}, where an unknown
     * outcome of a call with {@code grant} would matter, that the call is about to be made. Completes
     * with the token as stored now (the one to renew), with null when the stored token changed
     * meanwhile (read it again), or fails when the call must not be made (nothing was sent).
     */
    Future<Token> intend(Token current, TokenGrant grant);

    /** Undoes {@link #intend} when the call was not made after all (best effort). */
    Future<Void> withdraw(Token intended, Token current);

    /**
     * Calls the provider with {@code grant} and stores the result; completes with an {@link Outcome}.
     *
     * @param lostSince when an earlier call with the same refresh token lost its answer (this call is
     *     a replay), or null
     */
    Future<Outcome> perform(Token current, TokenGrant grant, int previousFailures, Instant lostSince);

    /**
     * An earlier call with the same refresh token has had no answer since {@code lostSince} and
     * {@link #mayReplay} forbids sending it again: decide without sending.
     */
    Future<Outcome> unreplayable(Token current, TokenGrant grant, int previousFailures, Instant lostSince);
  }

  /** How a rotation ended, which tells the protocol how to leave the lease. */
  public record Outcome(Token token, FailurePolicy.Decision failure, BrokerException stopped) {
    /** Stored: release the lease. */
    public static Outcome rotated(Token token) {
      return new Outcome(token, null, null);
    }

    /** Failed: release the lease when nobody should retry, else back off until the decision's time. */
    public static Outcome failed(FailurePolicy.Decision decision) {
      return new Outcome(null, decision, null);
    }

    /** Ended with an error that leaves nothing to retry or back off (release the lease). */
    public static Outcome stopped(BrokerException error) {
      return new Outcome(null, null, error);
    }
  }

  /** The lease's TTL for a provider whose calls end after {@code deadline}. */
  public static Duration leaseTtl(Duration deadline) {
    return deadline.plus(MARGIN);
  }

  /**
   * Makes the stored token meet {@code need}: answers with the stored token when it already does,
   * otherwise rotates under the key's lease (or waits for the current holder). Completes with
   * null when the need is {@linkplain TokenNeed#existingOnly() a renewal} and there is no token.
   */
  public Future<Token> rotate(TokenKey key, TokenNeed need, Duration deadline, Rotation rotation) {
    return attempt(key, need, leaseTtl(deadline), rotation, BUSY_ATTEMPTS);
  }

  private Future<Token> attempt(TokenKey key, TokenNeed need, Duration ttl, Rotation rotation, int attempts) {
    return store.load(key).compose(current -> {
      if (need.settledBy(current, policy)) {
        return Future.succeededFuture(current);
      }
      try {
        rotation.plan(current); // fails fast (e.g. 401) before taking a lease
      } catch (BrokerException e) {
        // "no token" may only mean this node is cut off from the members that have it
        return current != null ? Future.failedFuture(e) : leases.quorum().compose(v -> Future.failedFuture(e));
      }
      return leases.acquire(key, policy.now(), ttl).compose(permit -> {
        switch (permit.kind()) {
          case BACKING_OFF:
            return Future.failedFuture(failures.stillWaiting(permit));
          case BUSY:
            return leases.awaitRelease(key, ttl).compose(v -> attempts > 1 ? attempt(key, need, ttl, rotation, attempts - 1)
                : store.load(key).compose(latest -> need.satisfiedBy(latest, policy) ? Future.succeededFuture(latest)
                    : Future.failedFuture(new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE,
                        "another node is still rotating " + key + "; try again", 1L))));
          default:
            return holding(permit.lease(), need, ttl, rotation);
        }
      });
    });
  }

  private Future<Token> holding(RotationLeases.Lease lease, TokenNeed need, Duration ttl, Rotation rotation) {
    return holding(lease, need, ttl, rotation, BUSY_ATTEMPTS);
  }

  /** @param reads how often the token may be read again when it changes under the lease before the call */
  private Future<Token> holding(RotationLeases.Lease lease, TokenNeed need, Duration ttl, Rotation rotation, int reads) {
    return store.load(lease.key()).compose(current -> {
      if (need.settledBy(current, policy)) {
        return leases.release(lease).map(current);
      }
      TokenGrant grant;
      try {
        grant = rotation.plan(current);
      } catch (BrokerException e) {
        return leases.release(lease).transform(x -> Future.failedFuture(e));
      }
      Instant lostSince = lostSince(lease, current, grant);
      if (lostSince != null && !rotation.mayReplay(grant)) {
        return settle(lease, rotation.unreplayable(current, grant, lease.previousFailures(), lostSince));
      }
      Future<Token> intent = current == null ? Future.succeededFuture() : rotation.intend(current, grant);
      return intent.transform(intended -> {
        if (intended.failed()) { // nothing was sent
          return leases.release(lease).transform(x -> Future.<Token>failedFuture(intended.cause()));
        }
        if (current != null && intended.result() == null) { // changed under the lease (a mark, an authorization): read it again
          return reads > 1 ? holding(lease, need, ttl, rotation, reads - 1)
              : leases.release(lease).transform(x -> Future.<Token>failedFuture(new BrokerException(
                  ErrorCode.PROVIDER_UNAVAILABLE, "the token of " + lease.key() + " keeps changing; try again", 1L)));
        }
        return call(lease, ttl, rotation, current, intended.result(), grant, lostSince);
      });
    }, loadFailure -> leases.release(lease).transform(x -> Future.failedFuture(loadFailure)));
  }

  /** Confirms the lease right before the call, then calls; a call not made withdraws its intent. */
  private Future<Token> call(RotationLeases.Lease lease, Duration ttl, Rotation rotation, Token current, Token sending,
                             TokenGrant grant, Instant lostSince) {
    return leases.confirm(lease, grant.refreshTokenFingerprint(), policy.now(), ttl).transform(confirmed -> {
      if (confirmed.failed()) { // nothing was sent
        return rotation.withdraw(sending, current).transform(w -> leases.release(lease))
            .transform(x -> Future.<Token>failedFuture(confirmed.cause()));
      }
      return settle(lease, rotation.perform(sending, grant, lease.previousFailures(), lostSince));
    });
  }

  /**
   * Since when a call with the refresh token {@code grant} carries has no answer: the mark on the
   * stored token, or the call of a previous holder whose lease ended mid-call; null when there is none.
   */
  private Instant lostSince(RotationLeases.Lease lease, Token current, TokenGrant grant) {
    String fingerprint = grant.refreshTokenFingerprint();
    if (fingerprint == null) {
      return null;
    }
    if (current != null && current.unansweredSince() != null) {
      return current.unansweredSince(); // the mark is only ever set for the token's own refresh token
    }
    if (fingerprint.equals(lease.abandonedCall())) {
      return lease.abandonedSince() != null ? lease.abandonedSince() : policy.now();
    }
    return null;
  }

  private Future<Token> settle(RotationLeases.Lease lease, Future<Outcome> work) {
    return work.transform(ar -> ar.succeeded() ? leave(lease, ar.result()) : abandon(lease, ar.cause()));
  }

  private Future<Token> leave(RotationLeases.Lease lease, Outcome outcome) {
    if (outcome.token() != null) {
      return leases.release(lease).transform(x -> Future.succeededFuture(outcome.token()));
    }
    if (outcome.stopped() != null) {
      return leases.release(lease).transform(x -> Future.failedFuture(outcome.stopped()));
    }
    FailurePolicy.Decision decision = outcome.failure();
    BrokerException answer = failures.answer(decision);
    Future<Boolean> left = decision.authorizationRequired() ? leases.release(lease)
        : leases.backOff(lease, decision.failures(), decision.retryAt(), decision.error(), policy.now());
    return left.transform(x -> Future.failedFuture(answer));
  }

  /**
   * The rotation failed without an outcome after the call may have been made: nobody knows
   * whether the provider answered and the answer was stored, so the lease is left to end by
   * itself and the next holder treats the call as interrupted.
   */
  private Future<Token> abandon(RotationLeases.Lease lease, Throwable failure) {
    LOG.error("Rotation of " + lease.key() + " failed without an outcome; its lease is left to end by itself: "
        + BrokerException.from(failure).getMessage() + (failure instanceof BrokerException ? "" : " (" + failure + ")"));
    leases.abandon(lease);
    return Future.failedFuture(BrokerException.from(failure));
  }
}
