package dev.tokenbroker.rotation;

import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import java.time.Instant;

/**
 * One call to a token endpoint to renew a token, as the {@link FailurePolicy} needs to judge its
 * failure.
 *
 * @param current the stored token the call meant to renew, or null (none yet)
 * @param previousFailures how many renewals failed right before this call
 * @param sentAt when the call was made
 * @param lostSince when an earlier call with the same refresh token lost its answer (this call is a
 *     replay), or null
 */
public record RefreshAttempt(TokenKey key, ProviderSpec spec, TokenGrant grant, Token current, int previousFailures,
                             Instant sentAt, Instant lostSince) {

  /** True when the call carries a refresh token the provider rotates: the one call an unknown outcome endangers. */
  public boolean rotatesRefreshToken() {
    return rotates(spec, grant);
  }

  /** True when {@code grant} carries a refresh token that {@code spec}'s provider rotates. */
  public static boolean rotates(ProviderSpec spec, TokenGrant grant) {
    return grant instanceof RefreshTokenGrant && spec.rotatesRefreshTokens();
  }

  /** True when the call sends a refresh token again after an earlier call with it lost its answer. */
  public boolean isReplay() {
    return lostSince != null;
  }
}
