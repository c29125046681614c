package dev.tokenbroker.store;

import dev.tokenbroker.log.Log;
import io.vertx.core.Vertx;

/**
 * Whether the database answers, from a probe ({@link TokenRepository#ping}) run every few seconds,
 * one at a time: {@code /ready} reads the last result and never queries the database itself.
 */
final class StoreHealth {
  private static final Log LOG = Log.of(StoreHealth.class);
  static final long PROBE_MS = 3000;

  private final Vertx vertx;
  private final TokenRepository repository;
  private volatile String problem; // null while the last probe succeeded
  private boolean probing; // guarded by this
  private long timer = -1;

  StoreHealth(Vertx vertx, TokenRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  void start() {
    timer = vertx.setPeriodic(PROBE_MS, id -> probe());
  }

  /** Null when the last probe reached the database; otherwise why it did not (no secrets in it). */
  String problem() {
    return problem;
  }

  private void probe() {
    synchronized (this) {
      if (probing) {
        return;
      }
      probing = true;
    }
    repository.ping().onComplete(ar -> {
      synchronized (this) {
        probing = false;
      }
      String before = problem;
      problem = ar.succeeded() ? null : "the durable token store does not answer: " + ar.cause().getMessage();
      if (before == null && problem != null) {
        LOG.error("Health probe: " + problem);
      } else if (before != null && problem == null) {
        LOG.info("Health probe: the durable token store answers again");
      }
    });
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
