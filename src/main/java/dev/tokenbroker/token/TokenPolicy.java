package dev.tokenbroker.token;

import dev.tokenbroker.token.RefreshTiming;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * Pure timing decisions: is a token fresh enough, when to renew it, how long to back off.
 * Time comes from the injected clock, randomness from the injected generator.
 */
public final class TokenPolicy {
  private final RefreshTiming config;
  private final Clock clock;
  private final RandomGenerator random;

  public TokenPolicy(RefreshTiming config, Clock clock, RandomGenerator random) {
    this.config = config;
    this.clock = clock;
    this.random = random;
  }

  public Instant now() {
    return clock.instant();
  }

  public Clock clock() {
    return clock;
  }

  public RefreshTiming config() {
    return config;
  }

  /** The validity a caller gets at least: the larger of what it asked and the broker's minimum. */
  public long requiredValiditySeconds(long requested) {
    return Math.max(requested, config.minValiditySeconds());
  }

  /** True when the token may be handed out to a caller that needs {@code requested} seconds. */
  public boolean isFresh(Token token, long requested) {
    return token != null
        && token.remaining(now()).getSeconds() >= requiredValiditySeconds(requested)
        && token.expiresAt().isAfter(now());
  }

  /** True while the token has not expired at all. */
  public boolean isUnexpired(Token token) {
    return token != null && token.expiresAt().isAfter(now());
  }

  /**
   * When to renew: {@code expires_at - lead - jitter}. The lead is the skew capped at a third of
   * the lifetime, raised to the minimum validity (capped at half the lifetime) so a scheduled
   * renewal happens before callers would find the token too old. Jitter is at most the
   * configured jitter and at most a sixth of the lifetime.
   */
  public Instant refreshAt(Token token) {
    long lifetime = Math.max(1, token.lifetime().getSeconds());
    long lead = Math.min(config.skewSeconds(), lifetime / 3);
    lead = Math.max(lead, Math.min(config.minValiditySeconds() + 1, lifetime / 2));
    long maxJitterMillis = Math.min(config.jitterSeconds(), lifetime / 6) * 1000;
    long jitterMillis = maxJitterMillis <= 0 ? 0 : random.nextLong(maxJitterMillis + 1);
    return token.expiresAt().minusSeconds(lead).minusMillis(jitterMillis);
  }

  /**
   * When to renew a refresh token that has a known end and may still be extended (its end is not
   * {@linkplain Token#refreshEndFixed fixed}), even if the access token is fresh: so an account
   * nobody uses stays alive. That is {@code refresh_expires_at - lead}, the lead being the
   * expiring warning plus the skew (so that a provider that turns out not to extend it is found
   * out before the warning is due), capped at half the refresh token's life left at the access
   * token's issue (short-lived refresh tokens are renewed at half-life, not in a loop). Null when
   * there is nothing to keep alive.
   */
  public Instant keepAliveAt(Token token) {
    if (token.refreshToken() == null || token.refreshExpiresAt() == null || token.refreshEndFixed()
        || token.authorizationRequired()) {
      return null;
    }
    long life = Math.max(1, Duration.between(token.issuedAt(), token.refreshExpiresAt()).getSeconds());
    long lead = Math.min(config.expiringWarningSeconds() + config.skewSeconds(), life / 2);
    return token.refreshExpiresAt().minusSeconds(lead);
  }

  /**
   * When {@code token.expiring} is due for a refresh token whose end renewing cannot move: the
   * warning period before that end (now, if that time has passed). Null when nothing is to be
   * announced (no fixed end, already announced, or the refresh token has ended already).
   */
  public Instant expiringWarningAt(Token token) {
    if (!token.refreshEndFixed() || token.expiringAnnounced() || token.refreshToken() == null
        || token.authorizationRequired() || !token.refreshExpiresAt().isAfter(now())) {
      return null;
    }
    return token.refreshExpiresAt().minusSeconds(config.expiringWarningSeconds());
  }

  /** True when the token's refresh token ends within the warning period and renewing cannot move its end. */
  public boolean isExpiring(Token token) {
    return token.refreshEndFixed() && token.refreshToken() != null && token.refreshExpiresAt() != null
        && !now().isBefore(token.refreshExpiresAt().minusSeconds(config.expiringWarningSeconds()));
  }

  /**
   * When to send a refresh token again whose last call has no answer ({@link Token#unansweredSince}):
   * at the retry time its failure set (promptly after a lost answer), or now when none is set (the
   * broker stopped mid-call, or a call is under way: the renewal then joins or waits for it); not at
   * the usual renewal time, which may be hours away while the provider's grace for a replay is short.
   * Null when every call with the token's refresh token was answered.
   */
  public Instant replayAt(Token token) {
    if (token.unansweredSince() == null || token.authorizationRequired()) {
      return null;
    }
    return token.retryAt() != null ? token.retryAt() : now();
  }

  /** The longest wait before the first replay of a refresh token whose answer was lost. */
  static final Duration MAX_REPLAY_DELAY = Duration.ofSeconds(5);

  /**
   * When to try again after {@code failures} consecutive failures of the renewal of {@code current}
   * (null: no token yet): after the {@linkplain #backoff backoff}, but never past the moment the
   * current access token falls below the minimum validity - the wait is capped at half the time
   * left until then (at half the time left until it expires, once below it), at least one second -
   * so retries come faster as the end nears and a provider outage shorter than the skew never lets
   * the token expire while its renewal waits. A provider's {@code Retry-After} is honoured even so.
   */
  public Instant retryAt(Token current, int failures, Long retryAfterSeconds) {
    Instant now = now();
    long delay = backoff(failures, null).toMillis();
    if (current != null && current.expiresAt().isAfter(now)) {
      Instant due = current.expiresAt().minusSeconds(config.minValiditySeconds());
      Instant end = due.isAfter(now) ? due : current.expiresAt();
      delay = Math.min(delay, Math.max(1000, Duration.between(now, end).toMillis() / 2));
    }
    return now.plusMillis(honouring(retryAfterSeconds, delay));
  }

  /**
   * When to replay a refresh token whose answer was just lost: promptly, inside the grace windows
   * providers give a spent refresh token (Okta: 30 s), whatever failures came before - the first
   * step of the backoff, at least one second (the abandoned call's connection is closed by then)
   * and at most {@link #MAX_REPLAY_DELAY} (5 s).
   */
  public Instant firstReplayAt() {
    long delay = Math.max(1000, Math.min(backoff(1, null).toMillis(), MAX_REPLAY_DELAY.toMillis()));
    return now().plusMillis(delay);
  }

  /**
   * Exponential backoff with jitter after {@code failures} consecutive failures: a delay between
   * half and all of {@code initial * 2^(failures-1)}, capped at the maximum. A provider's
   * {@code Retry-After} is honoured when it asks for longer.
   */
  public Duration backoff(int failures, Long retryAfterSeconds) {
    long initialMillis = config.retryInitialSeconds() * 1000;
    long maxMillis = config.retryMaxSeconds() * 1000;
    long base = initialMillis;
    for (int i = 1; i < failures && base < maxMillis; i++) {
      base *= 2;
    }
    base = Math.min(base, maxMillis);
    return Duration.ofMillis(honouring(retryAfterSeconds, base / 2 + random.nextLong(base / 2 + 1)));
  }

  /** {@code delayMillis}, or a provider's longer {@code Retry-After} (at most a day). */
  private static long honouring(Long retryAfterSeconds, long delayMillis) {
    return retryAfterSeconds == null ? delayMillis : Math.max(delayMillis, Math.min(retryAfterSeconds, 24 * 3600) * 1000);
  }
}
