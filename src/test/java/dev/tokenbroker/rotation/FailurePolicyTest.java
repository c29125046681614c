package dev.tokenbroker.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.token.RefreshTiming;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.ClientCredentialsGrant;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenPolicy;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Failure classification and backoff, decided without I/O. */
class FailurePolicyTest {
  private static final TokenKey KEY = new TokenKey("rightsignature", "acme");
  /** When an earlier call lost its answer. */
  private static final Instant EARLIER = Instant.parse("2025-12-31T23:59:30Z");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final FailurePolicy policy = new FailurePolicy(new TokenPolicy(new RefreshTiming(300, 0, 30, 3600, 1, 300), clock,
      new Random(3)));
  private final BrokerConfig config = BrokerConfig.parse(TestConfigs.broker(new JsonObject()
      .put("rightsignature", TestConfigs.rightsignature("http://127.0.0.1:9"))
      .put("esignglobal", TestConfigs.esignglobal("http://127.0.0.1:9"))));
  private final ProviderSpec rotating = config.providers().get("rightsignature");
  private final ProviderSpec cc = config.providers().get("esignglobal");
  private final RefreshTokenGrant refresh = new RefreshTokenGrant(Secret.of("r-1"));

  /** A token of {@code rotating} whose access token has {@code secondsLeft} left. */
  private Token token(long secondsLeft) {
    Instant now = clock.instant();
    return new Token(KEY, Secret.of("a"), "Bearer", null, now.minusSeconds(7200 - secondsLeft), now.plusSeconds(secondsLeft),
        Secret.of("r-1"), null, 1, null, false, null);
  }

  private RefreshAttempt attempt(ProviderSpec spec, int previousFailures, Instant lostSince) {
    return new RefreshAttempt(KEY, spec, refresh, token(3600), previousFailures, clock.instant(), lostSince);
  }

  private static BrokerException lostAnswer() {
    return BrokerException.outcomeUnknown(ErrorCode.PROVIDER_UNAVAILABLE, "rightsignature token endpoint closed the connection"
        + " before answering");
  }

  @Test
  void aLostAnswerIsReplayedPromptlyWhateverFailuresCameBefore() {
    FailurePolicy.Decision d = policy.decide(attempt(rotating, 6, null), lostAnswer());

    assertFalse(d.authorizationRequired());
    assertTrue(!d.retryAt().isBefore(clock.instant().plusSeconds(1)) && !d.retryAt().isAfter(clock.instant().plusSeconds(5)),
        "first replay within seconds, not after the 32 s+ the 7th failure would wait: " + d.retryAt());
    assertEquals(7, d.failures());
    assertEquals(clock.instant(), d.unansweredSince(), "the stored token keeps when the answer was lost");
    assertEquals("the answer to the refresh of rightsignature:acme at 2026-01-01T00:00:00Z was lost (rightsignature token"
        + " endpoint closed the connection before answering); the same refresh token is sent again", d.error().getMessage());
    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, policy.answer(d).code());
  }

  @Test
  void aReplayWhoseAnswerIsLostAgainFollowsTheUsualBackoffAndKeepsTheFirstLoss() {
    FailurePolicy.Decision d = policy.decide(attempt(rotating, 6, EARLIER), lostAnswer());

    assertFalse(d.authorizationRequired());
    assertTrue(!d.retryAt().isBefore(clock.instant().plusSeconds(32)), "7th failure: 32-64 s, got " + d.retryAt());
    assertEquals(EARLIER, d.unansweredSince());
  }

  @Test
  void aRefusedReplayEndsInAuthorizationRequiredWithTheLostAnswerNamed() {
    FailurePolicy.Decision d = policy.decide(attempt(rotating, 1, EARLIER),
        new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "rightsignature refused the refresh token (invalid_grant)"));

    assertTrue(d.authorizationRequired());
    assertEquals("the answer to the refresh of rightsignature:acme at 2025-12-31T23:59:30Z was lost and the provider refused"
        + " the replay (rightsignature refused the refresh token (invalid_grant)): authorize the account again",
        d.error().getMessage());
  }

  @Test
  void aLostAnswerWithLostAnswerReauthorizeNeedsANewAuthorizationAtOnce() {
    ProviderSpec strict = BrokerConfig.parse(TestConfigs.broker(new JsonObject().put("rightsignature",
        TestConfigs.rightsignature("http://127.0.0.1:9").put("lost-answer", "reauthorize")))).providers().get("rightsignature");

    FailurePolicy.Decision d = policy.decide(attempt(strict, 0, null), lostAnswer());

    assertTrue(d.authorizationRequired());
    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, policy.answer(d).code());
    assertTrue(d.error().getMessage().contains("was lost") && d.error().getMessage().contains("lost-answer: reauthorize"),
        d.error().getMessage());
  }

  @Test
  void aCallThatMayNotBeReplayedNeedsANewAuthorizationNamingTheLostCall() {
    FailurePolicy.Decision d = policy.decideUnreplayable(attempt(rotating, 2, EARLIER));

    assertTrue(d.authorizationRequired());
    assertTrue(d.error().getMessage().startsWith("the answer to the refresh of rightsignature:acme at 2025-12-31T23:59:30Z"
        + " was lost"), d.error().getMessage());
  }

  @Test
  void anAnswerToAFirstCallLeavesNoMarkAndAnAnswerToAReplayKeepsTheLostOne() {
    BrokerException unavailable = new BrokerException(ErrorCode.PROVIDER_ERROR, "HTTP 503");

    assertEquals(null, policy.decide(attempt(rotating, 0, null), unavailable).unansweredSince());
    assertEquals(EARLIER, policy.decide(attempt(rotating, 0, EARLIER), unavailable).unansweredSince());
  }

  @Test
  void aLostAnswerToAKeptRefreshTokenIsAnOrdinaryFailure() {
    FailurePolicy.Decision d = policy.decide(new RefreshAttempt(new TokenKey("esignglobal", "default"), cc, refresh,
        token(3600), 0, clock.instant(), null), lostAnswer());

    assertFalse(d.authorizationRequired());
    assertEquals(null, d.unansweredSince(), "sending a refresh token that does not rotate again is safe");
  }

  @Test
  void backoffNeverWaitsPastTheMomentTheTokenFallsBelowTheMinimumValidity() {
    // 10 failures: the backoff alone would wait 150-300 s; the token has 100 s left, 70 s until it is below 30 s
    RefreshAttempt late = new RefreshAttempt(KEY, rotating, refresh, token(100), 9, clock.instant(), null);

    Instant retryAt = policy.decide(late, new BrokerException(ErrorCode.PROVIDER_ERROR, "HTTP 503")).retryAt();

    assertEquals(clock.instant().plusSeconds(35), retryAt, "half the 70 s left until the minimum validity");
  }

  @Test
  void anOutageShorterThanTheSkewNeverLetsTheTokenExpireWhileItsRenewalWaits() {
    // renewal starts 300 s (the skew) before expiry; the provider is down for 260 s of them
    Token current = token(300);
    Instant outageEnds = clock.instant().plusSeconds(260);
    Instant mustRenewBy = current.expiresAt().minusSeconds(30);
    int failures = 0;
    while (clock.instant().isBefore(outageEnds)) {
      Instant retryAt = policy.decide(new RefreshAttempt(KEY, rotating, refresh, current, failures, clock.instant(), null),
          new BrokerException(ErrorCode.PROVIDER_ERROR, "HTTP 503")).retryAt();
      failures++;
      clock.advance(Duration.between(clock.instant(), retryAt));
    }
    assertTrue(!clock.instant().isAfter(mustRenewBy), "the first attempt after the outage, " + clock.instant()
        + ", comes before the token falls below the minimum validity at " + mustRenewBy + " (" + failures + " failures)");
  }

  @Test
  void aProvidersRetryAfterIsHonouredEvenPastTheTimeLeft() {
    RefreshAttempt late = new RefreshAttempt(KEY, rotating, refresh, token(100), 0, clock.instant(), null);

    Instant retryAt = policy.decide(late, new BrokerException(ErrorCode.RATE_LIMITED, "slow down", 600L)).retryAt();

    assertEquals(clock.instant().plusSeconds(600), retryAt);
  }

  @Test
  void aRefusedConnectionIsRetriedWithBackoff() {
    FailurePolicy.Decision d = policy.decide(attempt(rotating, 0, null), new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE,
        "refused"));
    assertFalse(d.authorizationRequired());
    assertEquals(1, d.failures());
    assertTrue(!d.retryAt().isBefore(clock.instant().plusMillis(500)) && !d.retryAt().isAfter(clock.instant().plusSeconds(1)));
  }

  @Test
  void aRejectedClientCredentialsGrantIsAProviderErrorRetriedWithBackoff() {
    FailurePolicy.Decision d = policy.decide(new RefreshAttempt(new TokenKey("esignglobal", "default"), cc,
        ClientCredentialsGrant.INSTANCE, null, 4, clock.instant(), null),
        new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "invalid_grant"));
    assertEquals(ErrorCode.PROVIDER_ERROR, d.error().code());
    assertEquals(5, d.failures());
    assertFalse(d.authorizationRequired());
  }

  @Test
  void aRateLimitHonoursRetryAfterAndTellsCallersWhenToComeBack() {
    FailurePolicy.Decision d = policy.decide(attempt(rotating, 0, null), new BrokerException(ErrorCode.RATE_LIMITED,
        "slow down", 120L));
    assertEquals(clock.instant().plusSeconds(120), d.retryAt());
    BrokerException answer = policy.answer(d);
    assertEquals(ErrorCode.RATE_LIMITED, answer.code());
    assertEquals(120L, answer.retryAfterSeconds());
    clock.advance(Duration.ofSeconds(100));
    BrokerException waiting = policy.stillWaiting(RotationLeases.Permit.backingOff(1, d.retryAt(), d.error()));
    assertEquals(20L, waiting.retryAfterSeconds());
    assertEquals(ErrorCode.RATE_LIMITED, waiting.code());
  }

  @Test
  void aTimeoutWhileBackingOffIsReportedAsUnavailable() {
    BrokerException waiting = policy.stillWaiting(RotationLeases.Permit.backingOff(2, clock.instant().plusSeconds(3),
        BrokerException.outcomeUnknown(ErrorCode.INTERNAL_ERROR, "odd")));
    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, waiting.code());
    assertEquals(3L, waiting.retryAfterSeconds());
  }
}
