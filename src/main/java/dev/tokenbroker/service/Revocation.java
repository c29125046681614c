package dev.tokenbroker.service;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenEndpointClient;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;

/**
 * Revokes a token that is being disconnected (RFC 7009) at the provider's {@code revocation-url}:
 * the refresh token when there is one (revoking it ends the whole grant at most providers), else
 * the access token. Never fails: the answer is whether the provider confirmed the revocation, and a
 * failure is logged without the token.
 */
final class Revocation {
  private static final Log LOG = Log.of(Revocation.class);

  private final TokenEndpointClient endpoint;

  Revocation(TokenEndpointClient endpoint) {
    this.endpoint = endpoint;
  }

  /** True when the provider confirmed; false without a revocation-url, without a token, or when it failed. */
  Future<Boolean> revoke(ProviderSpec spec, Token token) {
    if (spec.revocationUrl() == null || token == null) {
      return Future.succeededFuture(false);
    }
    boolean refresh = token.refreshToken() != null;
    return endpoint.revoke(spec, refresh ? token.refreshToken() : token.accessToken(), refresh ? "refresh_token" : "access_token")
        .map(v -> {
          LOG.info("Revoked the " + (refresh ? "refresh" : "access") + " token of " + token.key() + " at " + spec.name());
          return true;
        })
        .recover(t -> {
          LOG.warn("Revocation of " + token.key() + "'s " + (refresh ? "refresh" : "access") + " token failed; it is deleted"
              + " anyway: " + BrokerException.from(t).getMessage());
          return Future.succeededFuture(false);
        });
  }
}
