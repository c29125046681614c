package dev.tokenbroker.service;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.rotation.FailurePolicy;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.rotation.RotationProtocol;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenMetrics;
import dev.tokenbroker.token.TokenNeed;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The broker's token operations, shared by every verticle of a node (thread-safe). Each reads as
 * its recipe: look the provider up ({@link ProviderCatalog}), read the node-local copy, decide
 * whether it meets the caller's need ({@link TokenNeed}); if not, join this node's rotation of the
 * token or start one ({@link SingleFlight}), which runs the cluster's {@link RotationProtocol}
 * with the provider step done by {@link Rotator} (call, store, announce).
 */
public final class TokenService {
  /** A key that is never stored: reading it proves the store answers. */
  private static final TokenKey READINESS_PROBE = new TokenKey("readiness-probe", "probe");

  private final ProviderCatalog providers;
  private final TokenStore store;
  private final RotationLeases leases;
  private final RotationProtocol protocol;
  private final Rotator rotator;
  private final TokenPolicy policy;
  private final TokenMetrics metrics;
  private final FailurePolicy failures;
  private final SingleFlight<TokenKey, Token> flights = new SingleFlight<>();

  TokenService(ProviderCatalog providers, TokenStore store, RotationLeases leases, RotationProtocol protocol, Rotator rotator,
               TokenPolicy policy, FailurePolicy failures, TokenMetrics metrics) {
    this.failures = failures;
    this.providers = providers;
    this.store = store;
    this.leases = leases;
    this.protocol = protocol;
    this.rotator = rotator;
    this.policy = policy;
    this.metrics = metrics;
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
      providers.checkAccount(key);
      Token cached = store.cached(key);
      TokenNeed.checkMinValidity(cached, minValidity);
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
    boolean hit = need.satisfiedBy(current, policy);
    metrics.request(key.provider(), hit);
    return hit ? Future.succeededFuture(current) : obtain(key, need, RotationReason.ON_DEMAND);
  }

  /** Rotates the token now, whatever its age, and answers with the new one. */
  public Future<Token> refresh(TokenKey key, RotationReason reason) {
    return counted(key, providers.lookUp(key).compose(spec -> store.load(key)).compose(current ->
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
   * Joins the rotation in flight for this key on this node, or starts one. A caller whose need
   * the shared result does not meet (it asked for more) starts one more rotation, once.
   */
  private Future<Token> obtain(TokenKey key, TokenNeed need, RotationReason reason) {
    return rotateOnce(key, need, reason).compose(token -> need.settledBy(token, policy) ? Future.succeededFuture(token)
        : rotateOnce(key, need, reason).compose(second -> need.settledBy(second, policy) ? Future.succeededFuture(second)
            : Future.failedFuture(failures.unmet(need, second))));
  }

  private Future<Token> rotateOnce(TokenKey key, TokenNeed need, RotationReason reason) {
    return flights.run(key, () -> {
      var spec = providers.spec(key);
      return protocol.rotate(key, need, spec.timeout(), rotator.of(key, spec, reason));
    });
  }

  /** The time the broker's answers are computed at (a reply's {@code expires_in}). */
  public Instant now() {
    return policy.now();
  }

  /** True while this node rotates the token. */
  public boolean isRotating(TokenKey key) {
    return flights.isRunning(key);
  }

  /** The keys being rotated now: a rotation lease is held in the cluster, or this node is rotating them. */
  public Future<Set<TokenKey>> rotatingKeys() {
    return leases.held(policy.now()).map(held -> {
      Set<TokenKey> out = new HashSet<>(held);
      store.cachedAll().stream().map(Token::key).filter(this::isRotating).forEach(out::add);
      return out;
    });
  }

  /** Completes once the rotations this node has in flight now are done (for a graceful stop). */
  public Future<Void> drain() {
    return flights.drain();
  }

  /** For {@code /ready}: completes when the token store answers. */
  public Future<Void> ready() {
    return store.ready(READINESS_PROBE);
  }

  /** Rotations kept in memory because the durable store could not take them yet (0 without one). */
  public int pendingDurableWrites() {
    return store.pendingDurableWrites();
  }

  private Future<Token> counted(TokenKey key, Future<Token> result) {
    return result.onFailure(t -> metrics.requestFailed(key.provider(), BrokerException.from(t).code().error()));
  }
}
