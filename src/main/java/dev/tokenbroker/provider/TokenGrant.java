package dev.tokenbroker.provider;

import java.util.Map;

/**
 * One OAuth 2.0 grant: the parameters it sends to the token endpoint (client authentication is
 * added by the endpoint client). The returned map holds secret values only for the request.
 */
public interface TokenGrant {

  /** The grant_type value. */
  String type();

  /** Grant parameters in sending order, including grant_type. */
  Map<String, String> parameters(ProviderSpec provider);

  /** The fingerprint of the refresh token this grant sends, or null when it sends none. */
  default String refreshTokenFingerprint() {
    return null;
  }
}
