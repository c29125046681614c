package dev.tokenbroker.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.config.RefreshConfig;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.ClientCredentialsGrant;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.TestConfigs;
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
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final FailurePolicy policy = new FailurePolicy(new TokenPolicy(new RefreshConfig(300, 0, 30, 3600, 1, 300), clock,
      new Random(3)));
  private final BrokerConfig config = BrokerConfig.parse(TestConfigs.broker(new JsonObject()
      .put("rightsignature", TestConfigs.rightsignature("http://127.0.0.1:9"))
      .put("esignglobal", TestConfigs.esignglobal("http://127.0.0.1:9"))));
  private final ProviderSpec rotating = config.providers().get("rightsignature");
  private final ProviderSpec cc = config.providers().get("esignglobal");
  private final RefreshTokenGrant refresh = new RefreshTokenGrant(Secret.of("r-1"));

  @Test
  void aLostAnswerToARotatingRefreshNeedsANewAuthorizationAndIsNotRetried() {
    FailurePolicy.Decision d = policy.decide(KEY, BrokerException.outcomeUnknown(ErrorCode.PROVIDER_UNAVAILABLE, "timed out"),
        rotating, refresh, 0);
    assertTrue(d.authorizationRequired());
    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, d.error().code());
    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, policy.answer(d).code());
  }

  @Test
  void anInterruptedRotatingRefreshNeedsANewAuthorization() {
    assertTrue(policy.decideInterrupted(KEY, rotating, refresh, 2).authorizationRequired());
  }

  @Test
  void aRefusedConnectionIsRetriedWithBackoff() {
    FailurePolicy.Decision d = policy.decide(KEY, new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, "refused"), rotating,
        refresh, 0);
    assertFalse(d.authorizationRequired());
    assertEquals(1, d.failures());
    assertTrue(!d.retryAt().isBefore(clock.instant().plusMillis(500)) && !d.retryAt().isAfter(clock.instant().plusSeconds(1)));
  }

  @Test
  void aRejectedClientCredentialsGrantIsAProviderErrorRetriedWithBackoff() {
    FailurePolicy.Decision d = policy.decide(new TokenKey("esignglobal", "default"),
        new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "invalid_grant"), cc, ClientCredentialsGrant.INSTANCE, 4);
    assertEquals(ErrorCode.PROVIDER_ERROR, d.error().code());
    assertEquals(5, d.failures());
    assertFalse(d.authorizationRequired());
  }

  @Test
  void aRateLimitHonoursRetryAfterAndTellsCallersWhenToComeBack() {
    FailurePolicy.Decision d = policy.decide(KEY, new BrokerException(ErrorCode.RATE_LIMITED, "slow down", 120L), rotating,
        refresh, 0);
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
