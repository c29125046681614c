package dev.tokenbroker.accounts;

import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenPolicy;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What an operator needs to know about one stored account, decided without I/O. The first rule
 * that applies wins:
 * <ol>
 *   <li>{@link #AUTHORIZATION_REQUIRED}: only a person can help: the provider rejected the refresh
 *       token, or (a user's grant) the refresh token has ended and the access token has expired.</li>
 *   <li>{@link #REFRESHING}: a rotation lease is held for the account (a rotation is in flight on some node).</li>
 *   <li>{@link #FAILING}: the last refresh failed and the broker is backing off ({@code retry_at}); a
 *       still-valid access token is served meanwhile.</li>
 *   <li>{@link #EXPIRED}: the access token's {@code expires_at} has passed (the next get renews it).</li>
 *   <li>{@link #EXPIRING}: the refresh token ends within {@code refresh.expiring-warning-seconds}
 *       and renewing cannot move its end (the provider kept it on a refresh): a person must
 *       authorize again before {@code refresh_expires_at}.</li>
 *   <li>{@link #VALID}: none of the above.</li>
 * </ol>
 */
public enum AccountState {
  VALID, REFRESHING, EXPIRING, EXPIRED, FAILING, AUTHORIZATION_REQUIRED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AccountState> byWireName(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
  }

  /** The wire names, for error messages. */
  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(AccountState::wireName).toList());
  }

  /**
   * @param rotating a rotation lease of the account is held now
   * @param userGrant the account's grant needs a person (authorization_code): without a refresh
   *     token nothing can renew it
   */
  public static AccountState of(Token token, TokenPolicy policy, boolean rotating, boolean userGrant) {
    Instant now = policy.now();
    boolean accessExpired = !token.expiresAt().isAfter(now);
    boolean refreshEnded = token.refreshToken() == null
        || (token.refreshExpiresAt() != null && !token.refreshExpiresAt().isAfter(now));
    if (token.authorizationRequired() || (userGrant && refreshEnded && accessExpired)) {
      return AUTHORIZATION_REQUIRED;
    }
    if (rotating) {
      return REFRESHING;
    }
    if (token.isFailing()) {
      return FAILING;
    }
    if (accessExpired) {
      return EXPIRED;
    }
    if (policy.isExpiring(token)) {
      return EXPIRING;
    }
    return VALID;
  }
}
