package dev.tokenbroker.service;

import dev.tokenbroker.accounts.AccountList;
import dev.tokenbroker.accounts.AccountQuery;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.grant.AuthorizationCodeGrant;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.provider.GrantType;
import dev.tokenbroker.provider.TokenResponse;
import dev.tokenbroker.rotation.FailurePolicy;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Future;
import java.time.Instant;

/**
 * An account's life around its rotations: a new authorization, an imported grant, a disconnect
 * (revoked where the provider can), the {@code token.expiring} warning, and the list operators
 * see. A new authorization or an import replaces the account's token like a rotation (version +1,
 * {@code token.rotated} reason {@code authorized}) and clears a backoff; a rotation in progress
 * keeps its lease.
 */
public final class AccountLifecycle {
  private static final int STORE_ATTEMPTS = 3;

  private final ProviderCatalog providers;
  private final TokenStore store;
  private final RotationLeases leases;
  private final Rotator rotator;
  private final Revocation revocation;
  private final FailurePolicy failures;
  private final TokenService tokens;
  private final TokenPolicy policy;
  private final TokenEvents events;

  AccountLifecycle(ProviderCatalog providers, TokenStore store, RotationLeases leases, Rotator rotator, Revocation revocation,
                   FailurePolicy failures, TokenService tokens, TokenPolicy policy, TokenEvents events) {
    this.providers = providers;
    this.store = store;
    this.leases = leases;
    this.rotator = rotator;
    this.revocation = revocation;
    this.failures = failures;
    this.tokens = tokens;
    this.policy = policy;
    this.events = events;
  }

  /** Exchanges an authorization code for the account and stores the result. */
  public Future<Token> authorize(TokenKey key, Secret code, Secret codeVerifier) {
    return providers.lookUp(key).compose(spec -> rotator.call(spec, new AuthorizationCodeGrant(code, codeVerifier))
            .compose(response -> rotator.storeAuthorized(key, spec, response, STORE_ATTEMPTS)))
        .compose(this::clearBackoff);
  }

  /**
   * Imports a grant obtained elsewhere as the account's token. With an access token it is stored as
   * given; without one the broker rotates at once with the refresh token and stores the provider's
   * answer (keeping the imported refresh token when the answer has none). When that rotation fails
   * nothing is stored ({@link FailurePolicy#refusedImport}).
   */
  public Future<Token> importGrant(TokenKey key, ImportedGrant grant) {
    return providers.lookUp(key).compose(spec -> {
      if (grant.accessToken() != null) {
        return rotator.storeAuthorized(key, spec, new TokenResponse(grant.accessToken(), grant.scope(), grant.expiresIn(),
            grant.refreshToken(), null), STORE_ATTEMPTS);
      }
      return rotator.call(spec, new RefreshTokenGrant(grant.refreshToken()))
          .recover(t -> Future.failedFuture(failures.refusedImport(BrokerException.from(t))))
          .map(answer -> grant.completedBy(answer))
          .compose(response -> rotator.storeAuthorized(key, spec, response, STORE_ATTEMPTS));
    }).compose(this::clearBackoff);
  }

  /**
   * Disconnects the account: revokes its token at the provider's {@code revocation-url} when one is
   * configured (RFC 7009; a failed or impossible revocation never blocks what follows), then
   * forgets it. Completes with whether the provider confirmed the revocation.
   */
  public Future<Boolean> disconnect(TokenKey key) {
    return providers.lookUp(key).compose(spec -> store.load(key).compose(token -> revocation.revoke(spec, token)
        .compose(revoked -> forget(key).map(v -> {
          if (token != null) {
            events.disconnected(key, revoked);
          }
          return revoked;
        }))));
  }

  /** Forgets the stored token (and its refresh token) and any backoff; a rotation in progress keeps its lease. */
  public Future<Void> forget(TokenKey key) {
    return store.remove(key).compose(v -> leases.clearBackoff(key).transform(x -> Future.<Void>succeededFuture()));
  }

  /**
   * Publishes {@code token.expiring} for the stored token of {@code key} when its warning is due
   * ({@link TokenPolicy#expiringWarningAt}) and nobody has published it: the mark is set on the
   * stored token by compare-and-set (same version), and only the writer that set it publishes, so
   * the event goes out once in the whole cluster. Completes with true when this call published it.
   */
  public Future<Boolean> announceExpiring(TokenKey key) {
    return store.load(key).compose(token -> {
      Instant due = token == null ? null : policy.expiringWarningAt(token);
      if (due == null || due.isAfter(policy.now())) {
        return Future.succeededFuture(false);
      }
      return store.compareAndSet(key, token.version(), token.withExpiringAnnounced()).map(stored -> {
        if (stored) {
          events.expiring(key, token.refreshExpiresAt());
        }
        return stored;
      });
    });
  }

  /** The stored accounts {@code scope} covers, filtered and paged by {@code query}, no secrets. */
  public Future<AccountList.Page> list(AccountQuery query, KeyScope scope) {
    return tokens.rotatingKeys().map(rotating -> AccountList.page(store.cachedAll(), query,
        key -> scope.covers(key.provider(), key.account()), rotating,
        provider -> providers.provider(provider).grant() == GrantType.AUTHORIZATION_CODE, policy));
  }

  private Future<Token> clearBackoff(Token token) {
    return leases.clearBackoff(token.key()).transform(x -> Future.succeededFuture(token));
  }
}
