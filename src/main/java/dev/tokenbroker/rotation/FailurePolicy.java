package dev.tokenbroker.rotation;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.ClientCredentialsGrant;
import dev.tokenbroker.provider.LostAnswer;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenNeed;
import dev.tokenbroker.token.TokenPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What a failed rotation means, decided without I/O: how to classify the provider's failure, whether
 * only a person can help now ({@code authorization_required}, no retries), and otherwise when to try
 * again (exponential backoff with jitter, capped by the time the current token has left, a provider's
 * {@code Retry-After} honoured; a lost answer replayed promptly) and what callers are told meanwhile.
 * Time and randomness come from the injected {@link TokenPolicy}.
 *
 * <p><b>Lost answers.</b> A call with a rotating refresh token whose outcome is unknown (the request
 * may have reached the provider, no answer came back) may have spent the refresh token. With
 * {@code lost-answer: replay} the same refresh token is sent again, the first time within seconds
 * (inside providers' grace windows), then with the usual backoff, until the provider answers; a
 * refused replay needs a new authorization and says so. With {@code lost-answer: reauthorize} the
 * account needs a new authorization at once.
 */
public final class FailurePolicy {
  private final TokenPolicy timing;

  public FailurePolicy(TokenPolicy timing) {
    this.timing = timing;
  }

  /**
   * The decision after a failure: the error to record, {@code retryAt} (null: do not retry by itself,
   * a person must authorize again), and since when the current refresh token has a call without an
   * answer (null: every call with it was answered) - the mark the stored token keeps.
   */
  public record Decision(BrokerException error, int failures, Instant retryAt, Instant unansweredSince) {
    public boolean authorizationRequired() {
      return retryAt == null;
    }
  }

  /** Decides after a failed call. */
  public Decision decide(RefreshAttempt attempt, BrokerException cause) {
    boolean lost = attempt.rotatesRefreshToken() && cause.isOutcomeUnknown();
    // a definite answer to a replay says nothing about the earlier lost call: its mark stays
    Instant unanswered = lost && !attempt.isReplay() ? attempt.sentAt() : attempt.lostSince();
    BrokerException error = classify(attempt, cause, lost);
    int failures = attempt.previousFailures() + 1;
    if (error.code() == ErrorCode.AUTHORIZATION_REQUIRED) {
      return new Decision(error, failures, null, unanswered);
    }
    Instant retryAt = lost && !attempt.isReplay() ? timing.firstReplayAt()
        : timing.retryAt(attempt.current(), failures, error.retryAfterSeconds());
    return new Decision(error, failures, retryAt, unanswered);
  }

  /**
   * A call with this refresh token has no known outcome (the previous lease holder was calling the
   * provider when it died or was cut off, or the broker stopped mid-call), and the provider's
   * {@code lost-answer} policy forbids sending it again: the account needs a new authorization.
   */
  public Decision decideUnreplayable(RefreshAttempt attempt) {
    return new Decision(new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, lostAnswer(attempt, attempt.lostSince())
        + " (the broker calling the provider stopped before storing it); with lost-answer: "
        + LostAnswer.REAUTHORIZE.configName() + " the refresh token is never sent twice: authorize the account again"),
        attempt.previousFailures() + 1, null, attempt.lostSince());
  }

  /** What a failed call means for the account. */
  static BrokerException classify(RefreshAttempt attempt, BrokerException cause, boolean lost) {
    if (lost) {
      String text = lostAnswer(attempt, attempt.isReplay() ? attempt.lostSince() : attempt.sentAt()) + " ("
          + cause.getMessage() + ")";
      if (attempt.spec().lostAnswer() == LostAnswer.REAUTHORIZE) {
        return new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, text + "; with lost-answer: "
            + LostAnswer.REAUTHORIZE.configName() + " the refresh token is never sent twice: authorize the account again");
      }
      return BrokerException.outcomeUnknown(cause.code(), text + "; the same refresh token is sent again");
    }
    if (attempt.rotatesRefreshToken() && attempt.isReplay() && cause.code() == ErrorCode.AUTHORIZATION_REQUIRED) {
      return new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, lostAnswer(attempt, attempt.lostSince())
          + " and the provider refused the replay (" + cause.getMessage() + "): authorize the account again");
    }
    if (attempt.grant() instanceof ClientCredentialsGrant && cause.code() == ErrorCode.AUTHORIZATION_REQUIRED) {
      // no person can fix a client-credentials grant: it is a provider/configuration error, retried with backoff
      return new BrokerException(ErrorCode.PROVIDER_ERROR, cause.getMessage());
    }
    return cause;
  }

  private static String lostAnswer(RefreshAttempt attempt, Instant at) {
    return "the answer to the refresh of " + attempt.key() + " at " + at.truncatedTo(ChronoUnit.SECONDS) + " was lost";
  }

  /**
   * Why a rotation's result, even after a second rotation, does not meet {@code need}: the caller
   * asked for more validity than the provider issues (400), or the provider issues tokens shorter
   * than the broker's own minimum validity (502).
   */
  public BrokerException unmet(TokenNeed need, Token token) {
    TokenNeed.checkMinValidity(token, need.minValidity());
    long lifetime = token == null ? 0 : token.lifetime().getSeconds();
    return new BrokerException(ErrorCode.PROVIDER_ERROR, "the provider issues tokens valid for " + lifetime
        + " s, less than the " + timing.requiredValiditySeconds(need.minValidity())
        + " s every answer must have left (refresh.min-validity-seconds)");
  }

  /**
   * A grant imported without an access token, which the provider refused to renew: nothing is
   * stored, and the refusal is the caller's 400 with the provider's reason; an unreachable or
   * rate-limiting provider keeps its 503 / 429 (try again).
   */
  public BrokerException refusedImport(BrokerException cause) {
    if (cause.code() == ErrorCode.PROVIDER_UNAVAILABLE || cause.code() == ErrorCode.RATE_LIMITED) {
      return cause;
    }
    return BrokerException.invalidRequest("the provider did not accept the imported refresh token; nothing was stored: "
        + cause.getMessage());
  }

  /** The answer to the caller whose rotation failed. */
  public BrokerException answer(Decision decision) {
    if (decision.authorizationRequired()) {
      return decision.error();
    }
    return withRetryAfter(decision.error(), decision.error().getMessage(), decision.retryAt());
  }

  /** The error for a caller that arrives while the cluster waits before trying again. */
  public BrokerException stillWaiting(RotationLeases.Permit permit) {
    return withRetryAfter(permit.error(), "backing off after " + permit.previousFailures() + " failure(s): "
        + permit.error().getMessage(), permit.retryAt());
  }

  /** Rate limits and provider errors keep their code; anything else is "unavailable". With retry_after. */
  BrokerException withRetryAfter(BrokerException error, String text, Instant retryAt) {
    long seconds = Math.max(1, (Duration.between(timing.now(), retryAt).toMillis() + 999) / 1000);
    ErrorCode code = error.code() == ErrorCode.RATE_LIMITED || error.code() == ErrorCode.PROVIDER_ERROR
        ? error.code() : ErrorCode.PROVIDER_UNAVAILABLE;
    return new BrokerException(code, text, seconds);
  }
}
