package dev.tokenbroker.bus;

import dev.tokenbroker.rotation.KeyOwnership;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.AccountLifecycle;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import dev.tokenbroker.log.Log;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renews tokens before they expire: one Vert.x timer per token this node owns, at
 * {@code expires_at - skew - jitter}, or earlier to keep a refresh token with a known end alive
 * ({@link dev.tokenbroker.token.TokenPolicy#keepAliveAt}), or at the backoff's retry time after a
 * failure, or promptly after a lost answer ({@link dev.tokenbroker.token.TokenPolicy#replayAt}); or,
 * for a refresh token whose end renewing cannot move, at the time
 * {@code token.expiring} is due, before the renewal. Every
 * change to a token (from any node) reschedules it; timers are cancelled on reschedule, when
 * the token goes away or moves to another node, and on undeploy. One instance per node.
 *
 * <p>Its state (the timers) changes only on this verticle's own context. Everything that
 * arrives from elsewhere - store and ownership listeners, and the completion of a renewal, which
 * may run where another verticle's rotation (joined through single flight) completed - hops
 * back to that context first.
 */
public final class RefreshVerticle extends VerticleBase {
  private static final Log LOG = Log.of(RefreshVerticle.class);
  private static final long[] RECHECK_AFTER_CHANGE_MS = {500, 2000, 5000};

  private final TokenService service;
  private final AccountLifecycle accounts;
  private final TokenStore store;
  private final TokenPolicy policy;
  private final KeyOwnership ownership;
  /** The timer of each token this node renews. Changed only on this verticle's context; read from any thread. */
  private final Map<TokenKey, Long> timers = new ConcurrentHashMap<>();
  /** The re-checks after the latest ownership change. Only on this verticle's context. */
  private final List<Long> rechecks = new ArrayList<>();
  private final AtomicInteger offContextChanges = new AtomicInteger();
  private boolean stopped;
  private final OwnContext own = new OwnContext();

  public RefreshVerticle(TokenService service, AccountLifecycle accounts, TokenStore store, TokenPolicy policy,
                         KeyOwnership ownership) {
    this.service = service;
    this.accounts = accounts;
    this.store = store;
    this.policy = policy;
    this.ownership = ownership;
  }

  @Override
  public Future<?> start() {
    own.mark(context);
    store.listen(new TokenStore.Listener() {
      @Override
      public void updated(Token token) {
        onContext(() -> schedule(token));
      }

      @Override
      public void removed(TokenKey key) {
        onContext(() -> cancel(key));
      }
    });
    ownership.onChange(() -> onContext(this::ownershipChanged));
    rescheduleAll();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    checkContext();
    stopped = true;
    cancelRechecks();
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
    return Future.succeededFuture();
  }

  /** Number of tokens this node has a timer for. */
  public int scheduledCount() {
    return timers.size();
  }

  /** True when this node has a timer for the token. */
  public boolean isScheduled(TokenKey key) {
    return timers.containsKey(key);
  }

  /** How often this verticle's state was changed off its own context: always 0 unless there is a bug (for tests). */
  public int offContextChanges() {
    return offContextChanges.get();
  }

  /** Runs {@code action} on this verticle's context, after what is already queued there (events keep their order). */
  private void onContext(Runnable action) {
    context.runOnContext(v -> action.run());
  }

  private boolean isOnContext() {
    return own.isCurrent();
  }

  /** Called before every change to the state: counts and reports a change made off the verticle's context. */
  private void checkContext() {
    if (!isOnContext()) {
      offContextChanges.incrementAndGet();
      LOG.error("Refresh timers changed off the refresh verticle's context, on " + Thread.currentThread().getName());
    }
  }

  /**
   * Ownership moves when members join or leave; the partition table settles over a few seconds,
   * so look again shortly after as well. A newer change replaces the re-checks of the previous one.
   */
  private void ownershipChanged() {
    if (stopped) {
      return;
    }
    cancelRechecks();
    rescheduleAll();
    for (long delay : RECHECK_AFTER_CHANGE_MS) {
      rechecks.add(vertx.setTimer(delay, id -> {
        rechecks.remove(id);
        rescheduleAll();
      }));
    }
  }

  private void cancelRechecks() {
    checkContext();
    rechecks.forEach(vertx::cancelTimer);
    rechecks.clear();
  }

  private void rescheduleAll() {
    if (stopped) {
      return;
    }
    for (Token token : store.cachedAll()) {
      schedule(token);
    }
    checkContext();
    timers.entrySet().removeIf(entry -> {
      boolean gone = store.cached(entry.getKey()) == null;
      if (gone) {
        vertx.cancelTimer(entry.getValue());
      }
      return gone;
    });
  }

  private void schedule(Token token) {
    schedule(token, true);
  }

  /** @param warnings also time {@code token.expiring} when it is due before the renewal */
  private void schedule(Token token, boolean warnings) {
    if (stopped) {
      return;
    }
    TokenKey key = token.key();
    cancel(key);
    if (token.authorizationRequired() || !ownership.ownsLocally(key)) {
      return;
    }
    Instant at = policy.refreshAt(token);
    Instant keepAlive = policy.keepAliveAt(token);
    if (keepAlive != null && keepAlive.isBefore(at)) {
      at = keepAlive; // the refresh token ends before the access token needs renewing: renew it anyway
    }
    if (token.retryAt() != null && token.retryAt().isAfter(at)) {
      at = token.retryAt();
    }
    Instant replay = policy.replayAt(token);
    if (replay != null) {
      at = replay; // a lost answer is replayed promptly, however long the access token has left
    }
    Instant warning = warnings ? policy.expiringWarningAt(token) : null;
    if (warning != null && warning.isBefore(at)) {
      setTimer(key, warning, token.version(), true);
      return;
    }
    setTimer(key, at, token.version(), false);
  }

  /** @param warn the timer is for {@code token.expiring}, not for a renewal */
  private void setTimer(TokenKey key, Instant at, long version, boolean warn) {
    checkContext();
    timers.put(key, vertx.setTimer(delayUntil(at), id -> {
      if (warn) {
        warn(key, id);
      } else {
        fire(key, version, id);
      }
    }));
  }

  /**
   * The warning before a refresh token's fixed end is due: publish {@code token.expiring} (once in
   * the cluster: {@link AccountLifecycle#announceExpiring}), then schedule the token's renewal. The
   * stored mark reschedules the token through the store's change event; when another node set it
   * first, or the publication failed, the token is scheduled again from its latest copy here.
   */
  private void warn(TokenKey key, long timerId) {
    checkContext();
    if (!timers.remove(key, timerId)) {
      return;
    }
    accounts.announceExpiring(key).onComplete(ar -> onContext(() -> {
      if (ar.failed()) {
        LOG.warn("Could not announce the end of " + key + "'s refresh token: " + BrokerException.from(ar.cause()).getMessage());
      }
      Token current = store.cached(key);
      if (current != null && !timers.containsKey(key)) {
        // the renewal only: a warning that could not be published is tried again after the token's next change
        schedule(current, false);
      }
    }));
  }

  /** Milliseconds until {@code at}, rounded up, so a timer never fires before the instant it is for. */
  private long delayUntil(Instant at) {
    long nanos = Duration.between(policy.now(), at).toNanos();
    return Math.max(1, (nanos + 999_999) / 1_000_000);
  }

  private void cancel(TokenKey key) {
    checkContext();
    Long id = timers.remove(key);
    if (id != null) {
      vertx.cancelTimer(id);
    }
  }

  private void fire(TokenKey key, long version, long timerId) {
    checkContext();
    if (!timers.remove(key, timerId)) {
      return;
    }
    // the renewal may join a rotation another verticle started and complete on that one's context
    service.renew(key, version).onComplete(ar -> onContext(() -> renewed(key, ar)));
  }

  private void renewed(TokenKey key, AsyncResult<Token> ar) {
    if (stopped) {
      return;
    }
    if (ar.succeeded()) {
      if (ar.result() != null) {
        schedule(ar.result());
      }
      return;
    }
    BrokerException error = BrokerException.from(ar.cause());
    Token current = store.cached(key);
    if (error.code() == ErrorCode.AUTHORIZATION_REQUIRED || error.code() == ErrorCode.UNKNOWN_ACCOUNT || current == null) {
      LOG.warn("Stopped renewing " + key + ": " + error.getMessage());
      return;
    }
    if (!timers.containsKey(key) && ownership.ownsLocally(key)) {
      // no change event will reschedule it: retry when the recorded backoff ends, else after retry_after
      Instant now = policy.now();
      Instant retryAt = current.retryAt() != null && current.retryAt().isAfter(now) ? current.retryAt()
          : now.plusSeconds(error.retryAfterSeconds() == null ? 1 : error.retryAfterSeconds());
      setTimer(key, retryAt, current.version(), false);
    }
  }
}
