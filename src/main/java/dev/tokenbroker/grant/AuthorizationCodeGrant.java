package dev.tokenbroker.grant;

import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.secret.Secret;
import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 6749 section 4.1.3: exchanges the code from the authorization redirect. */
public final class AuthorizationCodeGrant implements TokenGrant {
  private final Secret code;
  private final Secret codeVerifier;

  /** @param codeVerifier the PKCE verifier (RFC 7636), or null without PKCE */
  public AuthorizationCodeGrant(Secret code, Secret codeVerifier) {
    this.code = code;
    this.codeVerifier = codeVerifier;
  }

  @Override
  public String type() {
    return "authorization_code";
  }

  @Override
  public Map<String, String> parameters(ProviderSpec provider) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("grant_type", type());
    params.put("code", code.reveal());
    if (provider.redirectUri() != null) {
      params.put("redirect_uri", provider.redirectUri());
    }
    if (codeVerifier != null) {
      params.put("code_verifier", codeVerifier.reveal());
    }
    return params;
  }
}
