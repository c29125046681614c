package dev.tokenbroker.bus;

import dev.tokenbroker.cluster.KeyOwnership;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Renews tokens before they expire: one Vert.x timer per token this node owns, at
 * {@code expires_at - skew - jitter}, or at the backoff's retry time after a failure. Every
 * change to a token (from any node) reschedules it; timers are cancelled on reschedule, when
 * the token goes away or moves to another node, and on undeploy. One instance per node.
 */
public final class RefreshVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RefreshVerticle.class);
  private static final long[] RECHECK_AFTER_CHANGE_MS = {500, 2000, 5000};

  private final TokenService service;
  private final KeyOwnership ownership;
  /** Touched only on this verticle's context. */
  private final Map<TokenKey, Long> timers = new HashMap<>();
  private boolean stopped;

  public RefreshVerticle(TokenService service, KeyOwnership ownership) {
    this.service = service;
    this.ownership = ownership;
  }

  @Override
  public Future<?> start() {
    Context ctx = context;
    TokenStore store = service.store();
    store.listen(new TokenStore.Listener() {
      @Override
      public void updated(Token token) {
        ctx.runOnContext(v -> schedule(token));
      }

      @Override
      public void removed(TokenKey key) {
        ctx.runOnContext(v -> cancel(key));
      }
    });
    // Ownership moves when members join or leave; the partition table settles over a few seconds,
    // so look again shortly after as well.
    ownership.onChange(() -> ctx.runOnContext(v -> {
      rescheduleAll();
      for (long delay : RECHECK_AFTER_CHANGE_MS) {
        vertx.setTimer(delay, id -> rescheduleAll());
      }
    }));
    rescheduleAll();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
    return Future.succeededFuture();
  }

  /** Number of tokens this node has a timer for. */
  public int scheduledCount() {
    return timers.size();
  }

  private void rescheduleAll() {
    if (stopped) {
      return;
    }
    for (Token token : service.store().cachedAll()) {
      schedule(token);
    }
    timers.entrySet().removeIf(entry -> {
      boolean gone = service.store().cached(entry.getKey()) == null;
      if (gone) {
        vertx.cancelTimer(entry.getValue());
      }
      return gone;
    });
  }

  private void schedule(Token token) {
    if (stopped) {
      return;
    }
    TokenKey key = token.key();
    cancel(key);
    if (token.authorizationRequired() || !ownership.ownsLocally(key)) {
      return;
    }
    Instant at = service.policy().refreshAt(token);
    if (token.retryAt() != null && token.retryAt().isAfter(at)) {
      at = token.retryAt();
    }
    long version = token.version();
    timers.put(key, vertx.setTimer(delayUntil(at), id -> fire(key, version, id)));
  }

  /** Milliseconds until {@code at}, rounded up, so a timer never fires before the instant it is for. */
  private long delayUntil(Instant at) {
    long nanos = Duration.between(service.policy().now(), at).toNanos();
    return Math.max(1, (nanos + 999_999) / 1_000_000);
  }

  private void cancel(TokenKey key) {
    Long id = timers.remove(key);
    if (id != null) {
      vertx.cancelTimer(id);
    }
  }

  private void fire(TokenKey key, long version, long timerId) {
    if (!timers.remove(key, timerId)) {
      return;
    }
    service.renew(key, version).onComplete(ar -> {
      if (ar.succeeded()) {
        schedule(ar.result());
        return;
      }
      BrokerException error = BrokerException.from(ar.cause());
      Token current = service.store().cached(key);
      if (error.code() == ErrorCode.AUTHORIZATION_REQUIRED || current == null) {
        LOG.warn("Stopped renewing " + key + ": " + error.getMessage());
        return;
      }
      if (!timers.containsKey(key)) {
        // no change event will reschedule it: retry when the recorded backoff ends, else after retry_after
        Instant now = service.policy().now();
        Instant retryAt = current.retryAt() != null && current.retryAt().isAfter(now) ? current.retryAt()
            : now.plusSeconds(error.retryAfterSeconds() == null ? 1 : error.retryAfterSeconds());
        timers.put(key, vertx.setTimer(delayUntil(retryAt), id -> fire(key, current.version(), id)));
      }
    });
  }
}
