package dev.tokenbroker.service;

import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenResponse;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import java.time.Instant;

/** The token a provider's answer makes: expiry from our clock at receipt; an answer without refresh token keeps the old one. */
final class IssuedToken {
  private IssuedToken() {}

  static Token from(TokenKey key, Token current, TokenResponse r, ProviderSpec spec, Instant now, long defaultLifetime) {
    long lifetime = r.expiresIn() != null ? r.expiresIn() : defaultLifetime;
    Secret refresh;
    Instant refreshExpires;
    boolean endFixed;
    if (r.refreshToken() != null) {
      endFixed = false;
      refresh = r.refreshToken();
      Long refreshLifetime = r.refreshExpiresIn() != null ? r.refreshExpiresIn() : spec.refreshTokenLifetimeSeconds();
      refreshExpires = refreshLifetime == null ? null : now.plusSeconds(refreshLifetime);
    } else {
      refresh = current == null ? null : current.refreshToken();
      refreshExpires = current == null ? null : current.refreshExpiresAt();
      // the provider kept the refresh token: its end stays where it was, renewing cannot move it
      endFixed = refreshExpires != null;
    }
    String scope = r.scope() != null ? r.scope() : current != null ? current.scope() : spec.scope();
    return new Token(key, r.accessToken(), "Bearer", scope, now, now.plusSeconds(lifetime), refresh, refreshExpires,
        versionOf(current) + 1, null, false, null, 0, endFixed,
        endFixed && current.expiringAnnounced() && refreshExpires.equals(current.refreshExpiresAt()));
  }

  static long versionOf(Token token) {
    return token == null ? 0 : token.version();
  }
}
