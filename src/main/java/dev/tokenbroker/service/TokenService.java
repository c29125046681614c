package dev.tokenbroker.service;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.AuthorizationCodeGrant;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.provider.TokenResponse;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenEndpointClient;
import dev.tokenbroker.rotation.FailurePolicy;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.rotation.RotationProtocol;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenMetrics;
import dev.tokenbroker.token.TokenNeed;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;

/**
 * The broker's token operations, shared by every verticle of a node (thread-safe). Each reads as
 * its recipe: look the token up in the node-local copy; if it does not meet the caller's need,
 * join this node's rotation of it or start one ({@link SingleFlight}); a rotation runs the
 * cluster's {@link RotationProtocol} with the provider step done by {@link Rotator}.
 */
public final class TokenService {
  /** A key that is never stored: reading it proves the store answers. */
  private static final TokenKey READINESS_PROBE = new TokenKey("readiness-probe", "probe");
  private final Map<String, ProviderSpec> providers;
  private final TokenStore store;
  private final TokenPolicy policy;
  private final TokenMetrics metrics;
  private final RotationLeases leases;
  private final RotationProtocol protocol;
  private final Rotator rotator;
  private final TokenEvents events;
  private final Revocation revocation;
  private final SingleFlight<TokenKey, Token> flights = new SingleFlight<>();

  public TokenService(Map<String, ProviderSpec> providers, TokenStore store, RotationLeases leases,
                      TokenEndpointClient endpoint, TokenPolicy policy, TokenEvents events, TokenMetrics metrics) {
    this.providers = Map.copyOf(providers);
    this.store = store;
    this.policy = policy;
    this.metrics = metrics;
    this.leases = leases;
    this.events = events;
    this.revocation = new Revocation(endpoint);
    FailurePolicy failures = new FailurePolicy(policy);
    this.protocol = new RotationProtocol(store, leases, policy, failures);
    this.rotator = new Rotator(store, endpoint, policy, failures, events, metrics);
  }

  public TokenStore store() {
    return store;
  }

  public TokenPolicy policy() {
    return policy;
  }

  /** For {@code /ready}: completes when the token store answers. */
  public Future<Void> ready() {
    return store.ready(READINESS_PROBE);
  }

  /** Rotations kept in memory because the durable store could not take them yet (0 without one). */
  public int pendingDurableWrites() {
    return store.pendingDurableWrites();
  }

  /** True while this node rotates the token. */
  public boolean isRotating(TokenKey key) {
    return flights.isRunning(key);
  }

  /** The keys being rotated now: a rotation lease is held in the cluster, or this node is rotating them. */
  public Future<java.util.Set<TokenKey>> rotatingKeys() {
    return leases.held(policy.now()).map(held -> {
      java.util.Set<TokenKey> out = new java.util.HashSet<>(held);
      store.cachedAll().forEach(t -> {
        if (flights.isRunning(t.key())) {
          out.add(t.key());
        }
      });
      return out;
    });
  }

  /** The names of the configured providers. */
  public java.util.Set<String> providerNames() {
    return providers.keySet();
  }

  /** Completes once the rotations this node has in flight now are done (for a graceful stop). */
  public Future<Void> drain() {
    return flights.drain();
  }

  /** Every configured provider, by name. */
  public Collection<ProviderSpec> providers() {
    return providers.values();
  }

  /** The provider's spec; 404 unknown_provider when it is not configured. */
  public ProviderSpec provider(String name) {
    ProviderSpec spec = providers.get(name);
    if (spec == null) {
      throw new BrokerException(ErrorCode.UNKNOWN_PROVIDER, "no provider named '" + name + "' is configured");
    }
    return spec;
  }

  /**
   * The provider's spec as the key's account talks to it (its own client credentials); 404
   * unknown_provider, or 404 unknown_account for an account a client_credentials provider does
   * not list under {@code providers.<p>.accounts}.
   */
  public ProviderSpec spec(TokenKey key) {
    return provider(key.provider()).forAccount(key.account()).orElseThrow(() -> unknownAccount(key));
  }

  /** 404 unknown_provider or unknown_account like {@link #spec}, without building the account's spec (hot paths). */
  public void checkAccount(TokenKey key) {
    if (!provider(key.provider()).serves(key.account())) {
      throw unknownAccount(key);
    }
  }

  private static BrokerException unknownAccount(TokenKey key) {
    return new BrokerException(ErrorCode.UNKNOWN_ACCOUNT, "provider '" + key.provider() + "' has no account '"
        + key.account() + "' (configure it under providers." + key.provider() + ".accounts)");
  }

  /**
   * A token valid for at least {@code max(minValidity, refresh.min-validity-seconds)}; from the
   * node-local copy when it has one, otherwise after a rotation shared with concurrent callers.
   *
   * @param rejectedVersion the version a provider API refused, or null: rotated when it is the
   *     current version; an older or a never issued one is answered with the current token
   */
  public Future<Token> get(TokenKey key, long minValidity, Long rejectedVersion) {
    try {
      checkAccount(key);
      Token cached = store.cached(key);
      checkMinValidity(cached, minValidity);
      if (rejectedVersion != null && (cached == null || rejectedVersion > cached.version())) {
        // this node's copy may lag a rotation on another node: the shared store says which version is current
        return counted(key, store.load(key).compose(current -> serve(key, minValidity, rejectedVersion, current)));
      }
      return counted(key, serve(key, minValidity, rejectedVersion, cached));
    } catch (BrokerException e) {
      return counted(key, Future.failedFuture(e));
    }
  }

  private Future<Token> serve(TokenKey key, long minValidity, Long rejectedVersion, Token current) {
    TokenNeed need = TokenNeed.forGet(minValidity, rejectedVersion, current);
    if (need.satisfiedBy(current, policy)) {
      metrics.request(key.provider(), true);
      return Future.succeededFuture(current);
    }
    metrics.request(key.provider(), false);
    return obtain(key, need, RotationReason.ON_DEMAND);
  }

  /** Rotates the token now, whatever its age, and answers with the new one. */
  public Future<Token> refresh(TokenKey key, RotationReason reason) {
    return counted(key, checked(key).compose(spec -> store.load(key)).compose(current ->
        obtain(key, new TokenNeed(0, current == null ? null : current.version()), reason)));
  }

  /**
   * The refresh timer's rotation: renews the token unless it has moved past {@code dueVersion}
   * already (another node or a caller rotated it meanwhile), in which case no provider call is made.
   * Completes with null, without a provider call, when the token is gone: a renewal never creates one.
   */
  public Future<Token> renew(TokenKey key, long dueVersion) {
    return obtain(key, TokenNeed.renewal(dueVersion), RotationReason.SCHEDULED);
  }

  /**
   * Publishes {@code token.expiring} for the stored token of {@code key} when its warning is due
   * ({@link TokenPolicy#expiringWarningAt}) and nobody has published it: the mark is set on the
   * stored token by compare-and-set (same version), and only the writer that set it publishes, so
   * the event goes out once in the whole cluster. Completes with true when this call published it.
   */
  public Future<Boolean> announceExpiring(TokenKey key) {
    return store.load(key).compose(token -> {
      java.time.Instant due = token == null ? null : policy.expiringWarningAt(token);
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

  /**
   * Exchanges an authorization code for the account and stores the result. A backoff left by
   * earlier failures is cleared; a rotation in progress keeps its lease.
   */
  public Future<Token> authorize(TokenKey key, Secret code, Secret codeVerifier) {
    return checked(key).compose(spec -> rotator.call(spec, new AuthorizationCodeGrant(code, codeVerifier))
            .compose(response -> rotator.storeAuthorized(key, spec, response, 3)))
        .compose(token -> leases.clearBackoff(key).transform(x -> Future.succeededFuture(token)));
  }

  /**
   * Disconnects the account: revokes its token at the provider's {@code revocation-url} when one is
   * configured (RFC 7009; a failed or impossible revocation never blocks what follows), then
   * forgets it. Completes with whether the provider confirmed the revocation.
   */
  public Future<Boolean> disconnect(TokenKey key) {
    return checked(key).compose(spec -> store.load(key).compose(token -> revocation.revoke(spec, token)
        .compose(revoked -> forget(key).map(v -> {
          if (token != null) {
            events.disconnected(key, revoked);
          }
          return revoked;
        }))));
  }

  /**
   * Imports a grant obtained elsewhere as the account's token, like a new authorization (version
   * +1 by compare-and-set, {@code token.rotated} reason {@code authorized}, backoff cleared). With
   * an access token it is stored as given; without one the broker rotates at once with the refresh
   * token and stores the provider's answer (keeping the imported refresh token when the answer has
   * none). When that rotation fails nothing is stored: the provider's refusal is 400
   * {@code invalid_request} with its reason; an unreachable or rate-limiting provider keeps its
   * 503 / 429 (try again).
   */
  public Future<Token> importGrant(TokenKey key, ImportedGrant grant) {
    return checked(key).compose(spec -> {
      if (grant.accessToken() != null) {
        return rotator.storeAuthorized(key, spec, new TokenResponse(grant.accessToken(), grant.scope(), grant.expiresIn(),
            grant.refreshToken(), null), 3);
      }
      return rotator.call(spec, new RefreshTokenGrant(grant.refreshToken())).<TokenResponse>transform(ar -> {
        if (ar.failed()) {
          BrokerException e = BrokerException.from(ar.cause());
          if (e.code() == ErrorCode.PROVIDER_UNAVAILABLE || e.code() == ErrorCode.RATE_LIMITED) {
            return Future.failedFuture(e);
          }
          return Future.failedFuture(BrokerException.invalidRequest("the provider did not accept the imported refresh token;"
              + " nothing was stored: " + e.getMessage()));
        }
        TokenResponse r = ar.result();
        return Future.succeededFuture(new TokenResponse(r.accessToken(), r.scope() != null ? r.scope() : grant.scope(),
            r.expiresIn(), r.refreshToken() != null ? r.refreshToken() : grant.refreshToken(),
            r.refreshToken() != null ? r.refreshExpiresIn() : null));
      }).compose(response -> rotator.storeAuthorized(key, spec, response, 3));
    }).compose(token -> leases.clearBackoff(key).transform(x -> Future.succeededFuture(token)));
  }

  /** Forgets the stored token (and its refresh token) and any backoff; a rotation in progress keeps its lease. */
  public Future<Void> forget(TokenKey key) {
    return store.remove(key).compose(v -> leases.clearBackoff(key).transform(x -> Future.<Void>succeededFuture()));
  }

  /**
   * Joins the rotation in flight for this key on this node, or starts one. A caller whose need
   * the shared result does not meet (it asked for more) starts one more rotation, once.
   */
  private Future<Token> obtain(TokenKey key, TokenNeed need, RotationReason reason) {
    return rotateOnce(key, need, reason).compose(token -> {
      if (need.settledBy(token, policy)) {
        return Future.succeededFuture(token);
      }
      return rotateOnce(key, need, reason).compose(second -> {
        if (need.settledBy(second, policy)) {
          return Future.succeededFuture(second);
        }
        checkMinValidity(second, need.minValidity());
        long lifetime = second == null ? 0 : second.lifetime().getSeconds();
        return Future.failedFuture(new BrokerException(ErrorCode.PROVIDER_ERROR, "the provider issues tokens valid for "
            + lifetime + " s, less than the " + policy.requiredValiditySeconds(need.minValidity())
            + " s every answer must have left (refresh.min-validity-seconds)"));
      });
    });
  }

  private Future<Token> rotateOnce(TokenKey key, TokenNeed need, RotationReason reason) {
    return flights.run(key, () -> {
      ProviderSpec spec = spec(key);
      return protocol.rotate(key, need, spec.timeout(), rotator.of(key, spec, reason));
    });
  }

  private Future<ProviderSpec> checked(TokenKey key) {
    try {
      return Future.succeededFuture(spec(key));
    } catch (BrokerException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Token> counted(TokenKey key, Future<Token> result) {
    return result.onFailure(t -> metrics.requestFailed(key.provider(), BrokerException.from(t).code().error()));
  }

  private static void checkMinValidity(Token token, long minValidity) {
    if (token != null && minValidity > token.lifetime().getSeconds()) {
      throw BrokerException.invalidRequest("min_validity " + minValidity + " exceeds the lifetime the provider issues ("
          + token.lifetime().getSeconds() + " s)");
    }
  }
}
