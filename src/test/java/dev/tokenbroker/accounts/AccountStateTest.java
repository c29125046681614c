package dev.tokenbroker.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenbroker.token.RefreshTiming;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each account state as docs/http-api.md ("Account lifecycle") defines it, with an injected clock. */
class AccountStateTest {
  private static final TokenKey KEY = new TokenKey("p", "acme");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  /** warning 100 s before a fixed refresh-token end */
  private final TokenPolicy policy = new TokenPolicy(new RefreshTiming(300, 0, 30, 3600, 1, 300, 100), clock, new Random(1));

  private Token token(long lifetime, Long refreshLifetime, boolean endFixed) {
    Instant now = clock.instant();
    return new Token(KEY, Secret.of("a"), "Bearer", null, now, now.plusSeconds(lifetime), Secret.of("r"),
        refreshLifetime == null ? null : now.plusSeconds(refreshLifetime), 3, null, false, null, 0, endFixed, false);
  }

  private AccountState state(Token t, boolean rotating) {
    return AccountState.of(t, policy, rotating, true);
  }

  @Test
  void aFreshTokenIsValidAndExpiredOnceItsExpiryPasses() {
    Token t = token(60, null, false);
    assertEquals(AccountState.VALID, state(t, false));
    clock.advance(Duration.ofSeconds(60));
    assertEquals(AccountState.EXPIRED, state(t, false), "expires_at reached");
  }

  @Test
  void aHeldLeaseIsRefreshingUnlessOnlyAPersonCanHelp() {
    Token t = token(60, null, false);
    assertEquals(AccountState.REFRESHING, state(t, true));
    assertEquals(AccountState.AUTHORIZATION_REQUIRED, state(t.withFailure("authorization_required: x", true, null, 1), true));
  }

  @Test
  void aRecordedFailureIsFailingEvenWhenTheAccessTokenExpired() {
    Token failing = token(60, null, false).withFailure("provider_unavailable: down", false, clock.instant().plusSeconds(4), 2);
    assertEquals(AccountState.FAILING, state(failing, false));
    clock.advance(Duration.ofSeconds(61));
    assertEquals(AccountState.FAILING, state(failing, false));
  }

  @Test
  void aFixedRefreshTokenEndIsExpiringWithinTheWarningThenNeedsAPerson() {
    Token fixed = token(50, 300L, true);
    assertEquals(AccountState.VALID, state(fixed, false), "more than the warning (100 s) left");
    clock.advance(Duration.ofSeconds(200));
    assertEquals(AccountState.EXPIRED, state(fixed, false), "the access token expired first; the next refresh still works");
    Token renewed = token(3600, 100L, true);
    assertEquals(AccountState.EXPIRING, state(renewed, false), "exactly the warning left");
    clock.advance(Duration.ofSeconds(101));
    assertEquals(AccountState.EXPIRING, state(renewed, false), "ended, but the access token is still valid");
    clock.advance(Duration.ofSeconds(3600));
    assertEquals(AccountState.AUTHORIZATION_REQUIRED, state(renewed, false), "nothing can renew it any more");
  }

  @Test
  void aRefreshTokenThatRenewingExtendsIsNeverExpiring() {
    Token extendable = token(3600, 50L, false);
    assertEquals(AccountState.VALID, state(extendable, false), "within the warning, but the keep-alive renews it");
  }

  @Test
  void aClientCredentialsAccountWithoutRefreshTokenIsOnlyExpired() {
    Instant now = clock.instant();
    Token cc = new Token(KEY, Secret.of("a"), "Bearer", null, now, now.plusSeconds(10), null, null, 1, null, false, null);
    clock.advance(Duration.ofSeconds(11));
    assertEquals(AccountState.EXPIRED, AccountState.of(cc, policy, false, false));
    assertEquals(AccountState.AUTHORIZATION_REQUIRED, AccountState.of(cc, policy, false, true),
        "a user's account without a refresh token cannot be renewed once expired");
  }
}
