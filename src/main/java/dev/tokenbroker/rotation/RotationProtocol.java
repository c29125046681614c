package dev.tokenbroker.rotation;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenNeed;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import java.time.Duration;
import java.time.Instant;

/**
 * How one rotation of a token happens across the cluster, whatever the grant. Invariants:
 * <ol>
 *   <li><b>A refresh token is sent at most once.</b> Only the holder of the key's lease calls the
 *       provider, and only after it has read the token again under the lease (a previous holder
 *       may just have stored a newer one) and {@linkplain RotationLeases#confirm confirmed} the lease
 *       (and, with {@code cluster.min-members}, the quorum) right before the call.</li>
 *   <li><b>A lease outlives the call made under it.</b> Its TTL is the provider call's hard deadline
 *       plus {@link #MARGIN}, set again when the call starts, and the holder's node extends it while
 *       it stores the result.</li>
 *   <li><b>Only the holder releases or backs off</b>; the holder id is checked where the lease record
 *       lives, so a late or foreign release changes nothing.</li>
 *   <li><b>An interrupted call is never repeated with the same refresh token.</b> If a lease ends
 *       while its holder was calling the provider (the node died or was cut off), the next holder
 *       is told; if the refresh token it would send is the one that call carried, the outcome is
 *       unknown and the {@link Rotation} decides without resending it.</li>
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
  private static final Logger LOG = LoggerFactory.getLogger(RotationProtocol.class);
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

    /** Calls the provider with {@code grant} and stores the result; completes with an {@link Outcome}. */
    Future<Outcome> perform(Token current, TokenGrant grant, int previousFailures);

    /** A previous holder's call with the same refresh token was interrupted: decide without resending it. */
    Future<Outcome> interrupted(Token current, TokenGrant grant, int previousFailures);
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
      String fingerprint = grant.refreshTokenFingerprint();
      boolean interrupted = fingerprint != null && fingerprint.equals(lease.abandonedCall());
      return leases.confirm(lease, fingerprint, policy.now(), ttl).transform(confirmed -> {
        if (confirmed.failed()) { // nothing was sent
          return leases.release(lease).transform(x -> Future.<Token>failedFuture(confirmed.cause()));
        }
        Future<Outcome> work = interrupted ? rotation.interrupted(current, grant, lease.previousFailures())
            : rotation.perform(current, grant, lease.previousFailures());
        return work.transform(ar -> ar.succeeded() ? leave(lease, ar.result()) : abandon(lease, ar.cause()));
      });
    }, loadFailure -> leases.release(lease).transform(x -> Future.failedFuture(loadFailure)));
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
