package dev.tokenbroker.grant;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.provider.GrantType;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import java.time.Instant;

/**
 * Which grant renews a token: its refresh token while it has a usable one, otherwise the
 * provider's client credentials; 401 {@code authorization_required} when only a person can help
 * (an account that was never authorized, a rejected or expired refresh token).
 */
public final class GrantSelection {
  private GrantSelection() {}

  public static TokenGrant grantFor(ProviderSpec spec, TokenKey key, Token current, Instant now) {
    if (current != null && current.authorizationRequired()) {
      throw new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED,
          "the provider rejected the refresh token of " + key + "; authorize the account again");
    }
    if (current != null && current.hasRefreshToken(now)) {
      return new RefreshTokenGrant(current.refreshToken());
    }
    if (spec.grant() == GrantType.CLIENT_CREDENTIALS) {
      return ClientCredentialsGrant.INSTANCE;
    }
    String why = current == null ? "has no token yet" : "has no usable refresh token";
    throw new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "account " + key + " " + why
        + "; authorize it first (POST /v1/oauth/" + spec.name() + "/authorize)");
  }
}
