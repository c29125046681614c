package dev.tokenbroker.provider;

import dev.tokenbroker.secret.Secret;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the broker needs to talk to one provider, after the preset is applied and the
 * configuration validated. Immutable; {@code toString()} never shows the client secret.
 *
 * @param authorizeParams names of the authorize-URL parameters (response_type, client_id,
 *     redirect_uri, scope, state), overridable because some vendors spell them differently
 */
public record ProviderSpec(
    String name,
    String preset,
    String tokenUrl,
    String authorizeUrl,
    GrantType grant,
    BodyEncoding body,
    ClientAuth clientAuth,
    String clientId,
    Secret clientSecret,
    String scope,
    String redirectUri,
    Duration timeout,
    boolean rotatesRefreshTokens,
    Long refreshTokenLifetimeSeconds,
    boolean pkce,
    Map<String, String> authorizeParams) {

  public ProviderSpec {
    authorizeParams = Map.copyOf(authorizeParams);
  }
}
