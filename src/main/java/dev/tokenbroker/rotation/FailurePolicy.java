package dev.tokenbroker.rotation;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.ClientCredentialsGrant;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenPolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * What a failed rotation means, decided without I/O: how to classify the provider's failure, whether
 * only a person can help now ({@code authorization_required}, no retries), and otherwise when to try
 * again (exponential backoff with jitter, a provider's {@code Retry-After} honoured) and what
 * callers are told meanwhile. Time and randomness come from the injected {@link TokenPolicy}.
 */
public final class FailurePolicy {
  private final TokenPolicy timing;

  public FailurePolicy(TokenPolicy timing) {
    this.timing = timing;
  }

  /**
   * The decision after a failure: the error to record, and {@code retryAt} (null: do not retry by
   * itself, a person must authorize again).
   */
  public record Decision(BrokerException error, int failures, Instant retryAt) {
    public boolean authorizationRequired() {
      return retryAt == null;
    }
  }

  /** Decides after a failed grant; {@code previousFailures} is how many came right before it. */
  public Decision decide(TokenKey key, BrokerException cause, ProviderSpec spec, TokenGrant grant, int previousFailures) {
    BrokerException error = classify(key, cause, spec, grant);
    if (error.code() == ErrorCode.AUTHORIZATION_REQUIRED) {
      return new Decision(error, previousFailures + 1, null);
    }
    int failures = previousFailures + 1;
    return new Decision(error, failures, timing.now().plus(timing.backoff(failures, error.retryAfterSeconds())));
  }

  /**
   * The previous lease holder was calling the provider with this refresh token when its lease
   * ended (the node died or was cut off mid-call): the call's outcome is unknown.
   */
  public Decision decideInterrupted(TokenKey key, ProviderSpec spec, TokenGrant grant, int previousFailures) {
    return decide(key, BrokerException.outcomeUnknown(ErrorCode.PROVIDER_UNAVAILABLE, "the node that was refreshing "
        + key + " stopped before storing the provider's answer"), spec, grant, previousFailures);
  }

  /** What a failed grant means for the account. */
  static BrokerException classify(TokenKey key, BrokerException cause, ProviderSpec spec, TokenGrant grant) {
    boolean refresh = grant instanceof RefreshTokenGrant;
    if (refresh && spec.rotatesRefreshTokens() && cause.isOutcomeUnknown()) {
      // RFC 9700: after a lost answer the provider may have rotated the refresh token, and sending
      // the old one again can revoke the whole grant. Stop and ask for a new authorization instead.
      return new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "the refresh of " + key + " may have been processed"
          + " by the provider but its answer was lost (" + cause.getMessage() + "); the old refresh token is not"
          + " sent again: authorize the account again");
    }
    if (grant instanceof ClientCredentialsGrant && cause.code() == ErrorCode.AUTHORIZATION_REQUIRED) {
      // no person can fix a client-credentials grant: it is a provider/configuration error, retried with backoff
      return new BrokerException(ErrorCode.PROVIDER_ERROR, cause.getMessage());
    }
    return cause;
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
