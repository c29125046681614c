package dev.tokenbroker.service;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.GrantSelection;
import dev.tokenbroker.provider.LostAnswer;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenEndpointClient;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.provider.TokenResponse;
import dev.tokenbroker.rotation.FailurePolicy;
import dev.tokenbroker.rotation.RefreshAttempt;
import dev.tokenbroker.rotation.RotationProtocol;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenMetrics;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import java.time.Instant;

/**
 * The provider side of a rotation, run by {@link RotationProtocol} under the key's lease: call the
 * token endpoint (timed and counted), build the new token, store it by compare-and-set on the
 * version and announce it; on failure, let the {@link FailurePolicy} decide, record the failure on
 * the stored token (same version: a failure never replaces or deletes a token) and tell subscribers.
 */
final class Rotator {
  private static final Log LOG = Log.of(Rotator.class);

  private final TokenStore store;
  private final TokenEndpointClient endpoint;
  private final TokenPolicy policy;
  private final FailurePolicy failures;
  private final TokenEvents events;
  private final TokenMetrics metrics;

  Rotator(TokenStore store, TokenEndpointClient endpoint, TokenPolicy policy, FailurePolicy failures, TokenEvents events,
          TokenMetrics metrics) {
    this.store = store;
    this.endpoint = endpoint;
    this.policy = policy;
    this.failures = failures;
    this.events = events;
    this.metrics = metrics;
  }

  /** The rotation of {@code key} through {@code spec}'s token endpoint. */
  RotationProtocol.Rotation of(TokenKey key, ProviderSpec spec, RotationReason reason) {
    return new RotationProtocol.Rotation() {
      @Override
      public TokenGrant plan(Token current) {
        return GrantSelection.grantFor(spec, key, current, policy.now());
      }

      @Override
      public boolean mayReplay(TokenGrant grant) {
        return !RefreshAttempt.rotates(spec, grant) || spec.lostAnswer() == LostAnswer.REPLAY;
      }

      @Override
      public Future<Token> intend(Token current, TokenGrant grant) {
        return Rotator.this.intend(key, spec, current, grant);
      }

      @Override
      public Future<Void> withdraw(Token intended, Token current) {
        if (intended == current) {
          return Future.succeededFuture();
        }
        return store.compareAndSet(key, intended.version(), current).<Void>mapEmpty().otherwiseEmpty();
      }

      @Override
      public Future<RotationProtocol.Outcome> perform(Token current, TokenGrant grant, int previousFailures, Instant lostSince) {
        RefreshAttempt attempt = attempt(current, grant, previousFailures, lostSince);
        if (attempt.isReplay()) {
          LOG.info("Replaying the refresh token of " + key + ": the answer to its refresh at " + attempt.lostSince()
              + " was lost (lost-answer: " + spec.lostAnswer().configName() + ")");
        }
        return call(spec, grant).transform(ar -> ar.succeeded()
            ? storeRotated(key, spec, current, ar.result(), reason, previousFailures, attempt.lostSince())
            : failed(key, current, failures.decide(attempt, BrokerException.from(ar.cause())), ar.cause()));
      }

      @Override
      public Future<RotationProtocol.Outcome> unreplayable(Token current, TokenGrant grant, int previousFailures,
                                                          Instant lostSince) {
        return failed(key, current, failures.decideUnreplayable(attempt(current, grant, previousFailures, lostSince)), null);
      }

      /** The call about to be made; only a rotating refresh token's lost answer makes it a replay. */
      private RefreshAttempt attempt(Token current, TokenGrant grant, int previousFailures, Instant lostSince) {
        return new RefreshAttempt(key, spec, grant, current, previousFailures, policy.now(),
            RefreshAttempt.rotates(spec, grant) ? lostSince : null);
      }
    };
  }

  /**
   * The write-ahead intent of a call with a rotating refresh token: the stored token is marked
   * {@linkplain Token#unansweredSince unanswered since now} before the call, so that whoever reads it
   * next - another node after this one died, or this broker after a full restart from its durable
   * store - knows the call's outcome is unknown. Nothing to write for other grants, or when the mark
   * is there already (a replay). Completes with the token as stored, or null when it changed
   * meanwhile. When the store fails to take the mark: with {@code lost-answer: reauthorize} the call
   * is not made (the mark is what guarantees its refresh token is never sent twice, even across a
   * restart); with {@code replay} it goes ahead (the shared cache and the lease know of the call, and
   * a replay is what an unknown outcome leads to anyway).
   */
  private Future<Token> intend(TokenKey key, ProviderSpec spec, Token current, TokenGrant grant) {
    if (current.unansweredSince() != null || !RefreshAttempt.rotates(spec, grant)) {
      return Future.succeededFuture(current);
    }
    Token marked = current.withUnansweredSince(policy.now());
    return store.compareAndSet(key, current.version(), marked).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(ar.result() ? marked : null);
      }
      if (spec.lostAnswer() == LostAnswer.REAUTHORIZE) {
        return Future.failedFuture(new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, "the refresh of " + key
            + " could not be recorded before the call (" + BrokerException.from(ar.cause()).getMessage()
            + "); nothing was sent, try again", 2L));
      }
      LOG.warn("The refresh of " + key + " goes ahead without a durable record of its call (the token store did not"
          + " take the record; the shared copy and the lease have it, and lost-answer: replay would resend it anyway)");
      return Future.succeededFuture(marked);
    });
  }

  /** A token-endpoint call, timed and counted by outcome. */
  Future<TokenResponse> call(ProviderSpec spec, TokenGrant grant) {
    long started = System.nanoTime();
    return endpoint.request(spec, grant).onComplete(ar -> metrics.providerCall(spec.name(),
        ar.succeeded() ? "ok" : BrokerException.from(ar.cause()).code().error(), System.nanoTime() - started));
  }

  /**
   * Stores the new token if the stored one is still {@code current}. A durable store that could not
   * take it keeps it in memory and fails: the rotation still counts (the old refresh token is spent).
   */
  private Future<RotationProtocol.Outcome> storeRotated(TokenKey key, ProviderSpec spec, Token current, TokenResponse response,
                                                         RotationReason reason, int previousFailures, Instant lostSince) {
    Token next = IssuedToken.from(key, current, response, spec, policy.now(), policy.config().defaultLifetimeSeconds());
    return store.compareAndSet(key, IssuedToken.versionOf(current), next).transform(ar -> {
      if (ar.failed()) {
        return ar.cause() instanceof BrokerException kept ? Future.succeededFuture(RotationProtocol.Outcome.stopped(kept))
            : Future.failedFuture(ar.cause());
      }
      if (ar.result()) {
        announce(current, next, reason, previousFailures, lostSince);
        return Future.succeededFuture(RotationProtocol.Outcome.rotated(next));
      }
      LOG.warn("Token " + key + " was rotated concurrently elsewhere; the provider's answer is not stored");
      return store.load(key).map(RotationProtocol.Outcome::rotated);
    });
  }

  /** Stores an authorization's token whatever is stored now (a new authorization replaces the account). */
  Future<Token> storeAuthorized(TokenKey key, ProviderSpec spec, TokenResponse response, int attempts) {
    return store.load(key).compose(current -> {
      Token next = IssuedToken.from(key, current, response, spec, policy.now(), policy.config().defaultLifetimeSeconds());
      return store.compareAndSet(key, IssuedToken.versionOf(current), next).compose(stored -> {
        if (stored) {
          announce(current, next, RotationReason.AUTHORIZED, 0, null);
          events.authorized(next);
          return Future.succeededFuture(next);
        }
        if (attempts <= 1) {
          return Future.failedFuture(new BrokerException(ErrorCode.INTERNAL_ERROR, "the token changed concurrently; try again"));
        }
        return storeAuthorized(key, spec, response, attempts - 1);
      });
    });
  }

  private Future<RotationProtocol.Outcome> failed(TokenKey key, Token current, FailurePolicy.Decision decision, Throwable cause) {
    if (cause != null && !(cause instanceof BrokerException)) {
      LOG.error("Unexpected failure while rotating " + key, cause);
    }
    BrokerException error = decision.error();
    if (decision.authorizationRequired()) {
      LOG.warn("Token " + key + " needs a new authorization: " + error.getMessage());
    } else {
      LOG.warn("Refresh of " + key + " failed (" + decision.failures() + " in a row), next attempt at " + decision.retryAt()
          + ": " + error.getMessage());
    }
    // recorded first, so a subscriber that reads the account on token.failed sees the failure
    return markFailure(current, decision).map(v -> {
      events.failed(key, error, decision.authorizationRequired(), decision.retryAt());
      return RotationProtocol.Outcome.failed(decision);
    });
  }

  /** Records the failure on the stored token (same version: nothing about the token changes). */
  private Future<Void> markFailure(Token current, FailurePolicy.Decision decision) {
    if (current == null) {
      return Future.succeededFuture();
    }
    BrokerException error = decision.error();
    Token marked = current.withFailure(error.code().error() + ": " + error.getMessage(), decision.authorizationRequired(),
        decision.retryAt(), decision.failures(), decision.unansweredSince());
    return store.compareAndSet(current.key(), current.version(), marked)
        .<Void>mapEmpty()
        .recover(t -> {
          LOG.warn("Could not record the failure of " + current.key() + ": " + t.getMessage());
          return Future.succeededFuture();
        });
  }

  /**
   * Tells subscribers of the new token: {@code token.rotated}, and {@code token.recovered} when the
   * rotations before it failed (recorded on the replaced token, or counted by the lease) or it
   * replayed a refresh token whose answer was lost at {@code lostSince}.
   */
  private void announce(Token replaced, Token token, RotationReason reason, int previousFailures, Instant lostSince) {
    int failures = Math.max(previousFailures, replaced == null ? 0 : replaced.failures());
    if ((replaced != null && replaced.isFailing()) || lostSince != null) {
      failures = Math.max(1, failures);
    }
    announce(token, reason);
    if (failures > 0) {
      LOG.info("Token " + token.key() + " recovered after " + failures + " failed refresh(es)"
          + (lostSince == null ? "" : ", by replaying the refresh token whose answer at " + lostSince + " was lost"));
      events.recovered(token, failures, lostSince);
    }
  }

  private void announce(Token token, RotationReason reason) {
    LOG.info("Token " + token.key() + " rotated to v" + token.version() + " (" + reason.wireName() + "), expires in "
        + token.remaining(policy.now()).getSeconds() + " s, access " + token.accessToken().fingerprint());
    metrics.rotated(token.key().provider(), reason);
    events.rotated(token, reason);
  }
}
