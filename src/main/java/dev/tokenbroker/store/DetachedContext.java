package dev.tokenbroker.store;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/**
 * A new event-loop context that belongs to no deployment: what is created on it (the token store's
 * connection pool) is closed by its owner or with Vert.x, not when the verticle that created it is
 * undeployed. Vert.x's public API gives a new context only to a thread that has none
 * ({@code getOrCreateContext()}), never to a verticle's code, so this is the one place that asks
 * its internal {@link VertxInternal#createEventLoopContext()}. {@code DetachedContextTest} fails if
 * such a context stops being an event-loop context of no deployment, or if what is created on it
 * starts closing with the verticle that created it.
 */
final class DetachedContext {
  private DetachedContext() {}

  static Context create(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }
}
