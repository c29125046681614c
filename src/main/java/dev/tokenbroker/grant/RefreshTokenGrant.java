package dev.tokenbroker.grant;

import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.secret.Secret;
import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 6749 section 6: a new access token (and possibly a rotated refresh token) for a refresh token. */
public final class RefreshTokenGrant implements TokenGrant {
  private final Secret refreshToken;

  public RefreshTokenGrant(Secret refreshToken) {
    this.refreshToken = refreshToken;
  }

  @Override
  public String type() {
    return "refresh_token";
  }

  @Override
  public String refreshTokenFingerprint() {
    return refreshToken.fingerprint();
  }

  @Override
  public Map<String, String> parameters(ProviderSpec provider) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("grant_type", type());
    params.put("refresh_token", refreshToken.reveal());
    return params;
  }
}
