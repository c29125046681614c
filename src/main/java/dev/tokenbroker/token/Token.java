package dev.tokenbroker.token;

import dev.tokenbroker.secret.Secret;
import java.time.Duration;
import java.time.Instant;

/**
 * One stored token: immutable. The access token and refresh token travel together, so a
 * rotation replaces both atomically. {@code toString()} shows fingerprints only.
 *
 * @param version increases by one on every rotation
 * @param lastError the last refresh failure ({@code error: description}), or null
 * @param authorizationRequired the provider rejected the refresh token: a person must authorize again
 * @param retryAt after a failed refresh, when the next attempt is due (backoff), or null
 * @param failures how many refreshes in a row have failed since the last success (0 after a success)
 * @param refreshEndFixed the provider answered a refresh without a new refresh token: renewing cannot
 *     move {@code refreshExpiresAt} any more, a person must authorize again before it
 * @param expiringAnnounced {@code token.expiring} was published for this refresh token's end
 * @param unansweredSince a refresh with this token's refresh token was sent (or about to be) at this time
 *     and no answer for it has arrived: the provider may have spent the refresh token. Written before
 *     every call with a rotating refresh token (a write-ahead intent, so a crash mid-call leaves it
 *     behind), cleared when an answer arrives; null when every call with it was answered
 */
public record Token(
    TokenKey key,
    Secret accessToken,
    String tokenType,
    String scope,
    Instant issuedAt,
    Instant expiresAt,
    Secret refreshToken,
    Instant refreshExpiresAt,
    long version,
    String lastError,
    boolean authorizationRequired,
    Instant retryAt,
    int failures,
    boolean refreshEndFixed,
    boolean expiringAnnounced,
    Instant unansweredSince) {

  /** A token whose every refresh call was answered. */
  public Token(TokenKey key, Secret accessToken, String tokenType, String scope, Instant issuedAt, Instant expiresAt,
               Secret refreshToken, Instant refreshExpiresAt, long version, String lastError, boolean authorizationRequired,
               Instant retryAt, int failures, boolean refreshEndFixed, boolean expiringAnnounced) {
    this(key, accessToken, tokenType, scope, issuedAt, expiresAt, refreshToken, refreshExpiresAt, version, lastError,
        authorizationRequired, retryAt, failures, refreshEndFixed, expiringAnnounced, null);
  }

  /** A token without failures or lifecycle marks. */
  public Token(TokenKey key, Secret accessToken, String tokenType, String scope, Instant issuedAt, Instant expiresAt,
               Secret refreshToken, Instant refreshExpiresAt, long version, String lastError, boolean authorizationRequired,
               Instant retryAt) {
    this(key, accessToken, tokenType, scope, issuedAt, expiresAt, refreshToken, refreshExpiresAt, version, lastError,
        authorizationRequired, retryAt, 0, false, false);
  }

  public Duration lifetime() {
    return Duration.between(issuedAt, expiresAt);
  }

  public Duration remaining(Instant now) {
    return Duration.between(now, expiresAt);
  }

  public boolean hasRefreshToken(Instant now) {
    return refreshToken != null && (refreshExpiresAt == null || refreshExpiresAt.isAfter(now));
  }

  /** The same token and version, with the failure of its last refresh recorded ({@code failures} in a row). */
  public Token withFailure(String error, boolean authorizationRequired, Instant retryAt, int failures) {
    return withFailure(error, authorizationRequired, retryAt, failures, unansweredSince);
  }

  /**
   * The same token and version, with the failure of its last refresh recorded ({@code failures} in a
   * row) and {@code unanswered} as the time since which a call with its refresh token has no answer.
   */
  public Token withFailure(String error, boolean authorizationRequired, Instant retryAt, int failures, Instant unanswered) {
    return new Token(key, accessToken, tokenType, scope, issuedAt, expiresAt, refreshToken, refreshExpiresAt,
        version, error, authorizationRequired, retryAt, failures, refreshEndFixed, expiringAnnounced, unanswered);
  }

  /** The same token and version, marked as announced by {@code token.expiring}. */
  public Token withExpiringAnnounced() {
    return new Token(key, accessToken, tokenType, scope, issuedAt, expiresAt, refreshToken, refreshExpiresAt,
        version, lastError, authorizationRequired, retryAt, failures, refreshEndFixed, true, unansweredSince);
  }

  /** The same token and version, recording that a call with its refresh token has had no answer since {@code since}. */
  public Token withUnansweredSince(Instant since) {
    return new Token(key, accessToken, tokenType, scope, issuedAt, expiresAt, refreshToken, refreshExpiresAt,
        version, lastError, authorizationRequired, retryAt, failures, refreshEndFixed, expiringAnnounced, since);
  }

  /** True when the last refresh failed (a failure is recorded and no success came after it). */
  public boolean isFailing() {
    return lastError != null;
  }

  @Override
  public String toString() {
    return "Token[" + key.id() + " v" + version + " access=" + accessToken.fingerprint()
        + (refreshToken == null ? "" : " refresh=" + refreshToken.fingerprint())
        + " expires=" + expiresAt + (authorizationRequired ? " authorization_required" : "")
        + (unansweredSince == null ? "" : " unanswered since " + unansweredSince) + "]";
  }
}
