package dev.tokenbroker.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Tells whether the running code is on one verticle's context: on the context itself or on one of
 * its duplicates (a periodic timer's, a consumer's), on the context's event-loop thread. Not on
 * another verticle's context, even one that shares the event loop; not on a worker running
 * blocking code for it (the context is current there too); not on a foreign thread.
 *
 * <p>Public API only: a duplicate shares its context's data ({@link Context#put}/{@link Context#get};
 * only its local data is its own), so a key put on the verticle's context is seen from its
 * duplicates and from no other context. {@code OwnContextTest} fails if that changes.
 */
final class OwnContext {
  private final Object key = new Object();

  /** Marks {@code context} (the verticle's own, from its start) as the one {@link #isCurrent} recognises. */
  void mark(Context context) {
    context.put(key, key);
  }

  boolean isCurrent() {
    Context current = Vertx.currentContext();
    return current != null && current.get(key) == key && Context.isOnEventLoopThread();
  }
}
