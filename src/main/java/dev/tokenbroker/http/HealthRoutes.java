package dev.tokenbroker.http;

import dev.tokenbroker.service.TokenService;
import io.vertx.core.Vertx;
import dev.tokenbroker.vertx.ClusterManagers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.core.Handler;

/**
 * {@code GET /health} (the event loop answers) and {@code GET /ready} (the token store answers, no
 * durable write is pending, and in a cluster the cluster manager is active): Vert.x health checks,
 * no API key.
 */
final class HealthRoutes {
  private final Handler<RoutingContext> health;
  private final Handler<RoutingContext> ready;

  HealthRoutes(Vertx vertx, TokenService service) {
    this.health = HealthCheckHandler.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    this.ready = HealthCheckHandler.create(vertx)
        .register("token-store", 2000, promise -> service.ready()
            .onComplete(ar -> promise.complete(ar.succeeded() ? Status.OK() : Status.KO())))
        .register("durable-writes", promise -> {
          int pending = service.pendingDurableWrites();
          promise.complete(pending == 0 ? Status.OK() : Status.KO(new JsonObject().put("pending", pending)));
        })
        .register("cluster", promise -> promise.complete(!vertx.isClustered()
            || ClusterManagers.of(vertx).isActive() ? Status.OK() : Status.KO()));
  }

  void health(RoutingContext ctx) {
    health.handle(ctx);
  }

  void ready(RoutingContext ctx) {
    ready.handle(ctx);
  }
}
