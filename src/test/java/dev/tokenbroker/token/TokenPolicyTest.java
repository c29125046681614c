package dev.tokenbroker.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.token.RefreshTiming;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenPolicyTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private TokenPolicy policy(long skew, long jitter, long minValidity) {
    return new TokenPolicy(new RefreshTiming(skew, jitter, minValidity, 3600, 1, 300), clock, new Random(7));
  }

  private Token token(long lifetimeSeconds) {
    Instant now = clock.instant();
    return new Token(new TokenKey("p", "default"), Secret.of("a"), "Bearer", null, now, now.plusSeconds(lifetimeSeconds),
        null, null, 1, null, false, null);
  }

  @Test
  void aTokenIsFreshWhileItHasTheRequiredValidityLeft() {
    TokenPolicy policy = policy(300, 0, 30);
    Token t = token(100);
    assertTrue(policy.isFresh(t, 0));
    assertTrue(policy.isFresh(t, 100));
    assertFalse(policy.isFresh(t, 101), "the caller asked for more than is left");
    clock.advance(Duration.ofSeconds(70));
    assertTrue(policy.isFresh(t, 0), "exactly the broker minimum left");
    clock.advance(Duration.ofSeconds(1));
    assertFalse(policy.isFresh(t, 0), "below the broker's minimum validity");
    assertTrue(policy.isUnexpired(t));
    clock.advance(Duration.ofSeconds(29));
    assertFalse(policy.isUnexpired(t));
  }

  @Test
  void renewalIsSkewBeforeExpiryCappedAtAThirdOfTheLifetime() {
    TokenPolicy policy = policy(300, 0, 0);
    Token day = token(86398);
    assertEquals(day.expiresAt().minusSeconds(300), policy.refreshAt(day));
    Token minute = token(60);
    assertEquals(minute.expiresAt().minusSeconds(20), policy.refreshAt(minute), "a third of 60 s");
  }

  @Test
  void renewalHappensBeforeTheTokenDropsBelowTheMinimumValidity() {
    TokenPolicy policy = policy(20, 0, 30);
    Token t = token(7200);
    assertEquals(t.expiresAt().minusSeconds(31), policy.refreshAt(t));
  }

  @Test
  void jitterMovesRenewalEarlierByAtMostTheConfiguredJitter() {
    TokenPolicy policy = policy(300, 30, 0);
    Token t = token(86398);
    for (int i = 0; i < 200; i++) {
      Instant at = policy.refreshAt(t);
      assertFalse(at.isAfter(t.expiresAt().minusSeconds(300)));
      assertFalse(at.isBefore(t.expiresAt().minusSeconds(330)));
    }
  }

  @Test
  void backoffGrowsExponentiallyWithJitterUpToTheMaximum() {
    TokenPolicy policy = policy(300, 0, 0);
    for (int failures = 1; failures <= 12; failures++) {
      long base = Math.min(300_000, 1000L << (failures - 1));
      long d = policy.backoff(failures, null).toMillis();
      assertTrue(d >= base / 2 && d <= base, failures + " failures: " + d + " ms not in [" + base / 2 + ", " + base + "]");
    }
  }

  @Test
  void backoffHonoursALongerRetryAfter() {
    TokenPolicy policy = policy(300, 0, 0);
    assertEquals(Duration.ofSeconds(120), policy.backoff(1, 120L));
    assertTrue(policy.backoff(12, 1L).toMillis() >= 150_000, "a short Retry-After does not shorten the backoff");
  }

  @Test
  void aThirtyDayRefreshTokenIsKeptAliveBeforeTheWarningAndAnnouncedSevenDaysBeforeAFixedEnd() {
    TokenPolicy policy = new TokenPolicy(RefreshTiming.defaults(), clock, new Random(7));
    Instant now = clock.instant();
    Instant end = now.plus(Duration.ofDays(30));
    Token extendable = new Token(new TokenKey("p", "a"), Secret.of("a"), "Bearer", null, now, now.plusSeconds(86398),
        Secret.of("r"), end, 1, null, false, null, 0, false, false);
    assertEquals(end.minus(Duration.ofDays(7)).minusSeconds(300), policy.keepAliveAt(extendable),
        "renewed before the warning would be due, so a fixed end is found out in time");
    assertEquals(null, policy.expiringWarningAt(extendable), "no warning while renewing may still extend it");

    Token fixed = new Token(new TokenKey("p", "a"), Secret.of("a"), "Bearer", null, now, now.plusSeconds(86398),
        Secret.of("r"), end, 2, null, false, null, 0, true, false);
    assertEquals(null, policy.keepAliveAt(fixed), "renewing cannot move a fixed end");
    assertEquals(end.minus(Duration.ofDays(7)), policy.expiringWarningAt(fixed));
    assertFalse(policy.isExpiring(fixed));
    clock.advance(Duration.ofDays(23));
    assertTrue(policy.isExpiring(fixed));
    assertEquals(null, policy.expiringWarningAt(fixed.withExpiringAnnounced()), "announced once");
  }

  @Test
  void aShortLivedRefreshTokenIsRenewedAtHalfItsLife() {
    TokenPolicy policy = policy(300, 0, 30);
    Instant now = clock.instant();
    Token t = new Token(new TokenKey("p", "a"), Secret.of("a"), "Bearer", null, now, now.plusSeconds(3600),
        Secret.of("r"), now.plusSeconds(10), 1, null, false, null, 0, false, false);
    assertEquals(now.plusSeconds(5), policy.keepAliveAt(t));
  }
}
