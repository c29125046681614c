package dev.tokenbroker.provider;

import dev.tokenbroker.secret.Secret;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the broker needs to talk to one provider, after the preset is applied and the
 * configuration validated. Immutable; {@code toString()} never shows the client secret.
 *
 * @param clientId the client id of the account {@code default}
 * @param authorizeParams names of the authorize-URL parameters (response_type, client_id,
 *     redirect_uri, scope, state), overridable because some vendors spell them differently
 * @param accounts the further accounts of a {@code client_credentials} provider
 *     ({@code providers.<p>.accounts}), each with its own client credentials
 * @param apiBaseUrl where {@code /v1/proxy/<p>/...} forwards ({@code providers.<p>.api-base-url} or the
 *     preset's), without a trailing slash; null when the provider has none
 * @param proxyTimeout how long the proxy waits for the provider's API to answer
 *     ({@code providers.<p>.proxy-timeout-seconds})
 * @param revocationUrl the RFC 7009 revocation endpoint ({@code providers.<p>.revocation-url}), or null
 * @param lostAnswer what a refresh whose answer was lost does next ({@code providers.<p>.lost-answer})
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
    Map<String, String> authorizeParams,
    Map<String, ClientCredentials> accounts,
    String apiBaseUrl,
    Duration proxyTimeout,
    String revocationUrl,
    LostAnswer lostAnswer) {

  /** How long the proxy waits for an answer unless {@code proxy-timeout-seconds} says otherwise. */
  public static final Duration DEFAULT_PROXY_TIMEOUT = Duration.ofSeconds(30);

  /** The account every provider has (the token key's default account), served with {@link #clientId}. */
  public static final String DEFAULT_ACCOUNT = "default";

  public ProviderSpec {
    authorizeParams = Map.copyOf(authorizeParams);
    accounts = Map.copyOf(accounts);
    lostAnswer = lostAnswer == null ? LostAnswer.REPLAY : lostAnswer;
  }

  /** A provider with the default lost-answer policy ({@link LostAnswer#REPLAY}). */
  public ProviderSpec(String name, String preset, String tokenUrl, String authorizeUrl, GrantType grant, BodyEncoding body,
                      ClientAuth clientAuth, String clientId, Secret clientSecret, String scope, String redirectUri,
                      Duration timeout, boolean rotatesRefreshTokens, Long refreshTokenLifetimeSeconds, boolean pkce,
                      Map<String, String> authorizeParams, Map<String, ClientCredentials> accounts, String apiBaseUrl,
                      Duration proxyTimeout, String revocationUrl) {
    this(name, preset, tokenUrl, authorizeUrl, grant, body, clientAuth, clientId, clientSecret, scope, redirectUri, timeout,
        rotatesRefreshTokens, refreshTokenLifetimeSeconds, pkce, authorizeParams, accounts, apiBaseUrl, proxyTimeout,
        revocationUrl, LostAnswer.REPLAY);
  }

  /** A provider without a revocation endpoint. */
  public ProviderSpec(String name, String preset, String tokenUrl, String authorizeUrl, GrantType grant, BodyEncoding body,
                      ClientAuth clientAuth, String clientId, Secret clientSecret, String scope, String redirectUri,
                      Duration timeout, boolean rotatesRefreshTokens, Long refreshTokenLifetimeSeconds, boolean pkce,
                      Map<String, String> authorizeParams, Map<String, ClientCredentials> accounts, String apiBaseUrl,
                      Duration proxyTimeout) {
    this(name, preset, tokenUrl, authorizeUrl, grant, body, clientAuth, clientId, clientSecret, scope, redirectUri, timeout,
        rotatesRefreshTokens, refreshTokenLifetimeSeconds, pkce, authorizeParams, accounts, apiBaseUrl, proxyTimeout, null);
  }

  /** A provider without an API base for the proxy. */
  public ProviderSpec(String name, String preset, String tokenUrl, String authorizeUrl, GrantType grant, BodyEncoding body,
                      ClientAuth clientAuth, String clientId, Secret clientSecret, String scope, String redirectUri,
                      Duration timeout, boolean rotatesRefreshTokens, Long refreshTokenLifetimeSeconds, boolean pkce,
                      Map<String, String> authorizeParams, Map<String, ClientCredentials> accounts) {
    this(name, preset, tokenUrl, authorizeUrl, grant, body, clientAuth, clientId, clientSecret, scope, redirectUri, timeout,
        rotatesRefreshTokens, refreshTokenLifetimeSeconds, pkce, authorizeParams, accounts, null, DEFAULT_PROXY_TIMEOUT);
  }

  /** A provider whose only configured account is {@code default}. */
  public ProviderSpec(String name, String preset, String tokenUrl, String authorizeUrl, GrantType grant, BodyEncoding body,
                      ClientAuth clientAuth, String clientId, Secret clientSecret, String scope, String redirectUri,
                      Duration timeout, boolean rotatesRefreshTokens, Long refreshTokenLifetimeSeconds, boolean pkce,
                      Map<String, String> authorizeParams) {
    this(name, preset, tokenUrl, authorizeUrl, grant, body, clientAuth, clientId, clientSecret, scope, redirectUri, timeout,
        rotatesRefreshTokens, refreshTokenLifetimeSeconds, pkce, authorizeParams, Map.of());
  }

  /**
   * This provider as {@code account} talks to it: with the account's own client credentials.
   * Empty when the account does not exist here: a {@code client_credentials} provider serves
   * {@code default} and its configured accounts only; an {@code authorization_code} provider
   * serves any account (it exists once authorized), with the provider's credentials.
   */
  public Optional<ProviderSpec> forAccount(String account) {
    if (!serves(account)) {
      return Optional.empty();
    }
    ClientCredentials own = accounts.get(account);
    if (own != null) {
      return Optional.of(new ProviderSpec(name, preset, tokenUrl, authorizeUrl, grant, body, clientAuth, own.clientId(),
          own.clientSecret(), scope, redirectUri, timeout, rotatesRefreshTokens, refreshTokenLifetimeSeconds, pkce,
          authorizeParams, accounts, apiBaseUrl, proxyTimeout, revocationUrl, lostAnswer));
    }
    return Optional.of(this);
  }

  /**
   * True when the account may exist here: {@code default} and the configured accounts of a
   * client_credentials provider, any account of an authorization_code one. Allocates nothing.
   */
  public boolean serves(String account) {
    return account.equals(DEFAULT_ACCOUNT) || grant == GrantType.AUTHORIZATION_CODE || accounts.containsKey(account);
  }
}
