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
    Instant retryAt) {

  public Duration lifetime() {
    return Duration.between(issuedAt, expiresAt);
  }

  public Duration remaining(Instant now) {
    return Duration.between(now, expiresAt);
  }

  public boolean hasRefreshToken(Instant now) {
    return refreshToken != null && (refreshExpiresAt == null || refreshExpiresAt.isAfter(now));
  }

  /** The same token and version, with the failure of its last refresh recorded. */
  public Token withFailure(String error, boolean authorizationRequired, Instant retryAt) {
    return new Token(key, accessToken, tokenType, scope, issuedAt, expiresAt, refreshToken, refreshExpiresAt,
        version, error, authorizationRequired, retryAt);
  }

  @Override
  public String toString() {
    return "Token[" + key.id() + " v" + version + " access=" + accessToken.fingerprint()
        + (refreshToken == null ? "" : " refresh=" + refreshToken.fingerprint())
        + " expires=" + expiresAt + (authorizationRequired ? " authorization_required" : "") + "]";
  }
}
