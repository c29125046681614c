package dev.tokenbroker.token;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.AuthorizationCodeGrant;
import dev.tokenbroker.grant.ClientCredentialsGrant;
import dev.tokenbroker.grant.GrantType;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.grant.TokenGrant;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenEndpointClient;
import dev.tokenbroker.provider.TokenResponse;
import dev.tokenbroker.secret.Secret;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's token logic, shared by every verticle of a node (thread-safe): answers gets from
 * the node-local copy, rotates through the provider when needed with one in-flight rotation per
 * token on this node, stores results by compare-and-set, backs off after failures and tells
 * subscribers. A failure never deletes or overwrites a stored token.
 */
public final class TokenService {
  private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);

  private final Map<String, ProviderSpec> providers;
  private final TokenStore store;
  private final TokenEndpointClient endpoint;
  private final TokenPolicy policy;
  private final TokenEvents events;
  private final RotationGate gate;
  private final TokenMetrics metrics;
  private final ConcurrentHashMap<TokenKey, Future<Token>> inFlight = new ConcurrentHashMap<>();

  public TokenService(Map<String, ProviderSpec> providers, TokenStore store, RotationGate gate,
                      TokenEndpointClient endpoint, TokenPolicy policy, TokenEvents events, TokenMetrics metrics) {
    this.metrics = metrics;
    this.providers = Map.copyOf(providers);
    this.store = store;
    this.gate = gate;
    this.endpoint = endpoint;
    this.policy = policy;
    this.events = events;
  }

  public TokenStore store() {
    return store;
  }

  public TokenPolicy policy() {
    return policy;
  }

  /** True while this node rotates the token. */
  public boolean isRotating(TokenKey key) {
    return inFlight.containsKey(key);
  }

  /** {@link #provider} as a future: failed with 404 unknown_provider when it is not configured. */
  private Future<ProviderSpec> checkedProvider(TokenKey key) {
    ProviderSpec spec = providers.get(key.provider());
    return spec != null ? Future.succeededFuture(spec) : Future.failedFuture(unknownProvider(key.provider()));
  }

  private static BrokerException unknownProvider(String name) {
    return new BrokerException(ErrorCode.UNKNOWN_PROVIDER, "no provider named '" + name + "' is configured");
  }

  /** The provider's spec; 404 unknown_provider when it is not configured. */
  public ProviderSpec provider(String name) {
    ProviderSpec spec = providers.get(name);
    if (spec == null) {
      throw unknownProvider(name);
    }
    return spec;
  }

  /**
   * A token valid for at least {@code max(minValidity, refresh.min-validity-seconds)}; from the
   * node-local copy when it has one, otherwise after a rotation shared with concurrent callers.
   *
   * @param rejectedVersion the version a provider API refused, or null
   */
  public Future<Token> get(TokenKey key, long minValidity, Long rejectedVersion) {
    try {
      provider(key.provider());
      Token cached = store.cached(key);
      checkMinValidity(cached, minValidity);
      TokenNeed need = new TokenNeed(minValidity, rejectedVersion);
      if (need.satisfiedBy(cached, policy)) {
        metrics.request(key.provider(), true);
        return Future.succeededFuture(cached);
      }
      metrics.request(key.provider(), false);
      return counted(key, obtain(key, need, RotationReason.ON_DEMAND));
    } catch (BrokerException e) {
      return counted(key, Future.failedFuture(e));
    }
  }

  /** Rotates the token now, whatever its age, and answers with the new one. */
  public Future<Token> refresh(TokenKey key, RotationReason reason) {
    return counted(key, checkedProvider(key).compose(spec -> store.load(key)).compose(current ->
        obtain(key, new TokenNeed(0, current == null ? null : current.version()), reason)));
  }

  /**
   * The refresh timer's rotation: renews the token unless it has moved past {@code dueVersion}
   * already (another node or a caller rotated it meanwhile), in which case no provider call is made.
   */
  public Future<Token> renew(TokenKey key, long dueVersion) {
    return obtain(key, new TokenNeed(0, dueVersion), RotationReason.SCHEDULED);
  }

  private Future<Token> counted(TokenKey key, Future<Token> result) {
    return result.onFailure(t -> metrics.requestFailed(key.provider(), BrokerException.from(t).code().error()));
  }

  /** A token-endpoint call, timed and counted by outcome. */
  private Future<TokenResponse> call(ProviderSpec spec, TokenGrant grant) {
    long started = System.nanoTime();
    return endpoint.request(spec, grant).onComplete(ar -> metrics.providerCall(spec.name(),
        ar.succeeded() ? "ok" : BrokerException.from(ar.cause()).code().error(), System.nanoTime() - started));
  }

  /** Exchanges an authorization code for the account and stores the result. */
  public Future<Token> authorize(TokenKey key, Secret code, Secret codeVerifier) {
    return checkedProvider(key)
        .compose(spec -> call(spec, new AuthorizationCodeGrant(code, codeVerifier)))
        .compose(response -> storeAuthorized(key, response, 3))
        .compose(token -> gate.release(key).map(token));
  }

  /** Forgets the stored token (and its refresh token). */
  public Future<Void> forget(TokenKey key) {
    return store.remove(key).compose(v -> gate.release(key));
  }

  private Future<Token> storeAuthorized(TokenKey key, TokenResponse response, int attempts) {
    return store.load(key).compose(current -> {
      Token next = build(key, current, response);
      return store.compareAndSet(key, versionOf(current), next).compose(stored -> {
        if (stored) {
          announce(next, RotationReason.AUTHORIZED);
          return Future.succeededFuture(next);
        }
        if (attempts <= 1) {
          return Future.failedFuture(new BrokerException(ErrorCode.INTERNAL_ERROR, "the token changed concurrently; try again"));
        }
        return storeAuthorized(key, response, attempts - 1);
      });
    });
  }

  /**
   * Joins the rotation in flight for this key on this node, or starts one. A caller whose need
   * the shared result does not meet (it asked for more) starts one more rotation, once.
   */
  private Future<Token> obtain(TokenKey key, TokenNeed need, RotationReason reason) {
    return flight(key, need, reason).compose(token -> {
      if (need.satisfiedBy(token, policy)) {
        return Future.succeededFuture(token);
      }
      return flight(key, need, reason).compose(second -> {
        if (need.satisfiedBy(second, policy)) {
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

  private Future<Token> flight(TokenKey key, TokenNeed need, RotationReason reason) {
    Promise<Token> promise = Promise.promise();
    Future<Token> existing = inFlight.putIfAbsent(key, promise.future());
    if (existing != null) {
      return existing;
    }
    Future<Token> rotation;
    try {
      rotation = rotate(key, need, reason);
    } catch (RuntimeException e) {
      rotation = Future.failedFuture(e);
    }
    rotation.onComplete(result -> {
      inFlight.remove(key, promise.future());
      promise.handle(result);
    });
    return promise.future();
  }

  private Future<Token> rotate(TokenKey key, TokenNeed need, RotationReason reason) {
    return rotate(key, need, reason, 3);
  }

  /**
   * One rotation for the cluster: read the source of truth; if it does not meet the need, enter
   * the gate. Granted: read again (the previous holder may just have finished), call the
   * provider, store, release. Busy: wait until the holder is done and read what it stored.
   * Backing off: fail at once with the error that caused it.
   */
  private Future<Token> rotate(TokenKey key, TokenNeed need, RotationReason reason, int attempts) {
    ProviderSpec spec = provider(key.provider());
    return store.load(key).compose(current -> {
      if (need.satisfiedBy(current, policy)) {
        return Future.succeededFuture(current);
      }
      grantFor(spec, key, current, policy.now()); // fails fast with 401, before taking a lease
      Duration leaseTtl = spec.timeout().plusSeconds(5);
      return gate.enter(key, policy.now(), leaseTtl).compose(permit -> {
        switch (permit.kind()) {
          case BACKING_OFF:
            return Future.failedFuture(stillWaiting(permit));
          case BUSY:
            return gate.awaitRelease(key, leaseTtl).compose(v -> {
              if (attempts > 1) {
                return rotate(key, need, reason, attempts - 1);
              }
              return store.load(key).compose(latest -> need.satisfiedBy(latest, policy) ? Future.succeededFuture(latest)
                  : Future.failedFuture(new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE,
                      "another node is still rotating " + key + "; try again", 1L)));
            });
          default:
            return rotateHoldingLease(spec, key, need, reason, permit.previousFailures());
        }
      });
    });
  }

  private Future<Token> rotateHoldingLease(ProviderSpec spec, TokenKey key, TokenNeed need, RotationReason reason,
                                           int previousFailures) {
    return store.load(key).compose(current -> {
      if (need.satisfiedBy(current, policy)) {
        return gate.release(key).map(current);
      }
      TokenGrant grant;
      try {
        grant = grantFor(spec, key, current, policy.now());
      } catch (BrokerException e) {
        return gate.release(key).compose(v -> Future.failedFuture(e));
      }
      return call(spec, grant).transform(ar -> ar.succeeded()
          ? storeRotated(key, current, ar.result(), reason).compose(t -> gate.release(key).map(t),
              storeFailure -> gate.release(key).compose(v -> Future.failedFuture(storeFailure)))
          : recordFailure(key, current, ar.cause(), previousFailures, spec, grant));
    });
  }

  /** The grant to rotate with: the refresh token if there is one, else client credentials; 401 when only a person can help. */
  private static TokenGrant grantFor(ProviderSpec spec, TokenKey key, Token current, Instant now) {
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

  private Future<Token> storeRotated(TokenKey key, Token current, TokenResponse response, RotationReason reason) {
    Token next = build(key, current, response);
    return store.compareAndSet(key, versionOf(current), next).compose(stored -> {
      if (stored) {
        announce(next, reason);
        return Future.succeededFuture(next);
      }
      LOG.warn("Token " + key + " was rotated concurrently elsewhere; using the stored one");
      return store.load(key);
    });
  }

  /** The new token: expiry from our clock at receipt; a response without refresh token keeps the old one. */
  private Token build(TokenKey key, Token current, TokenResponse r) {
    Instant now = policy.now();
    ProviderSpec spec = provider(key.provider());
    long lifetime = r.expiresIn() != null ? r.expiresIn() : policy.config().defaultLifetimeSeconds();
    Secret refresh;
    Instant refreshExpires;
    if (r.refreshToken() != null) {
      refresh = r.refreshToken();
      Long refreshLifetime = r.refreshExpiresIn() != null ? r.refreshExpiresIn() : spec.refreshTokenLifetimeSeconds();
      refreshExpires = refreshLifetime == null ? null : now.plusSeconds(refreshLifetime);
    } else {
      refresh = current == null ? null : current.refreshToken();
      refreshExpires = current == null ? null : current.refreshExpiresAt();
    }
    String scope = r.scope() != null ? r.scope() : current != null ? current.scope() : spec.scope();
    return new Token(key, r.accessToken(), "Bearer", scope, now, now.plusSeconds(lifetime), refresh, refreshExpires,
        versionOf(current) + 1, null, false, null);
  }

  private Future<Token> recordFailure(TokenKey key, Token current, Throwable failure, int previousFailures,
                                      ProviderSpec spec, TokenGrant grant) {
    BrokerException error = classify(key, BrokerException.from(failure), spec, grant);
    if (!(failure instanceof BrokerException)) {
      LOG.error("Unexpected failure while rotating " + key, failure);
    }
    Instant now = policy.now();
    if (error.code() == ErrorCode.AUTHORIZATION_REQUIRED) {
      LOG.warn("Token " + key + " needs a new authorization: " + error.getMessage());
      events.failed(key, error, true, null);
      return markFailure(current, error, true, null)
          .compose(v -> gate.release(key))
          .compose(v -> Future.failedFuture(error));
    }
    int failures = previousFailures + 1;
    Instant retryAt = now.plus(policy.backoff(failures, error.retryAfterSeconds()));
    BrokerException answered = withRetryAfter(error, error.getMessage(), retryAt, now);
    LOG.warn("Refresh of " + key + " failed (" + failures + " in a row), next attempt in "
        + answered.retryAfterSeconds() + " s: " + error.getMessage());
    events.failed(key, error, false, retryAt);
    return markFailure(current, error, false, retryAt)
        .compose(v -> gate.backOff(key, failures, retryAt, error, now))
        .transform(x -> Future.failedFuture(answered));
  }

  /** What a failed grant means for the account. */
  private static BrokerException classify(TokenKey key, BrokerException cause, ProviderSpec spec, TokenGrant grant) {
    boolean refresh = grant instanceof RefreshTokenGrant;
    if (refresh && spec.rotatesRefreshTokens() && cause.isOutcomeUnknown()) {
      // RFC 9700: after a lost answer the provider may have rotated the refresh token, and sending
      // the old one again can revoke the whole grant. Stop and ask for a new authorization instead.
      return new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "the refresh of " + key + " may have been processed"
          + " by the provider but its answer was lost (" + cause.getMessage() + "); the old refresh token is not"
          + " sent again: authorize the account again");
    }
    if (grant instanceof ClientCredentialsGrant && cause.code() == ErrorCode.AUTHORIZATION_REQUIRED) {
      // no person can fix a client-credentials grant: it is a provider/configuration error, retried with backoff
      return new BrokerException(ErrorCode.PROVIDER_ERROR, cause.getMessage());
    }
    return cause;
  }

  /** The error for a caller that arrives while the broker waits before trying again. */
  private BrokerException stillWaiting(RotationGate.Permit permit) {
    return withRetryAfter(permit.error(), "backing off after " + permit.previousFailures() + " failure(s): "
        + permit.error().getMessage(), permit.retryAt(), policy.now());
  }

  /** Rate limits and provider errors keep their code; anything else is "unavailable". With retry_after. */
  private static BrokerException withRetryAfter(BrokerException error, String text, Instant retryAt, Instant now) {
    long seconds = Math.max(1, (Duration.between(now, retryAt).toMillis() + 999) / 1000);
    ErrorCode code = error.code() == ErrorCode.RATE_LIMITED || error.code() == ErrorCode.PROVIDER_ERROR
        ? error.code() : ErrorCode.PROVIDER_UNAVAILABLE;
    return new BrokerException(code, text, seconds);
  }

  /** Records the failure on the stored token (same version: nothing about the token changes). */
  private Future<Void> markFailure(Token current, BrokerException error, boolean authorizationRequired, Instant retryAt) {
    if (current == null) {
      return Future.succeededFuture();
    }
    Token marked = current.withFailure(error.code().error() + ": " + error.getMessage(), authorizationRequired, retryAt);
    return store.compareAndSet(current.key(), current.version(), marked)
        .<Void>mapEmpty()
        .recover(t -> {
          LOG.warn("Could not record the failure of " + current.key() + ": " + t.getMessage());
          return Future.succeededFuture();
        });
  }

  private void announce(Token token, RotationReason reason) {
    LOG.info("Token " + token.key() + " rotated to v" + token.version() + " (" + reason.wireName() + "), expires in "
        + token.remaining(policy.now()).getSeconds() + " s, access " + token.accessToken().fingerprint());
    metrics.rotated(token.key().provider(), reason);
    events.rotated(token, reason);
  }

  private static void checkMinValidity(Token token, long minValidity) {
    if (token != null && minValidity > token.lifetime().getSeconds()) {
      throw BrokerException.invalidRequest("min_validity " + minValidity + " exceeds the lifetime the provider issues ("
          + token.lifetime().getSeconds() + " s)");
    }
  }

  private static long versionOf(Token token) {
    return token == null ? 0 : token.version();
  }
}
