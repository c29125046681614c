package dev.tokenbroker.http;

import dev.tokenbroker.auth.KeyAction;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Every route of the broker's HTTP side, in one table: method, path, the API-key action it needs
 * and the class that serves it. Every request passes the {@link Gate} (the access log for all, the
 * API key for {@code /v1} but the OAuth callback, the action per route). Two routes are also
 * served before the router by the {@link FastLane}: {@code GET /v1/tokens/{provider}} written the
 * common way, and the API proxy with its prefix as written.
 *
 * <pre>
 * method            path                               action   served by
 * GET               /health, /ready                    -        HealthRoutes
 * GET               /metrics                           -        BrokerMetrics (Prometheus text)
 * GET               /console/*                         -        ConsoleRoutes (static files; the page signs in with an admin key)
 * GET               /v1/oauth/{p}/callback             -        OnboardingRoutes (the single-use state is the credential)
 * *                 /eventbus/*                        per message  EventBusBridge (SockJS)
 * GET               /v1/tokens                         admin    TokenRoutes.list
 * GET               /v1/tokens/{p}                     read     TokenGet (FastLane or TokenRoutes.get)
 * POST              /v1/tokens/{p}/refresh             refresh  TokenRoutes.refresh
 * PUT               /v1/tokens/{p}                     admin    TokenRoutes.importGrant
 * DELETE            /v1/tokens/{p}                     admin    TokenRoutes.forget
 * GET               /v1/providers                      admin    ProviderRoutes
 * POST              /v1/oauth/{p}/authorize            admin    OnboardingRoutes
 * GET               /v1/events                         events   EventStream (SSE)
 * GET|POST|PUT|PATCH|DELETE /v1/proxy/{p}/{path}       proxy    ProxyRoutes (FastLane; the router refuses other spellings)
 * </pre>
 */
final class Routes {
  /** Request bodies beyond this are refused with 413 (the proxy's bodies stream and have their own limit). */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** What serves the routes. */
  record Handlers(Gate gate, HealthRoutes health, Handler<RoutingContext> metrics, ConsoleRoutes console,
                  OnboardingRoutes onboarding, EventBusBridge sockJs, TokenRoutes tokens, ProviderRoutes providers,
                  EventStream events) {}

  private Routes() {}

  static Router router(Vertx vertx, Handlers h) {
    Router router = Router.router(vertx);
    Gate gate = h.gate();
    router.route().handler(gate::log);
    // SockJS upgrades to WebSocket: before the body handler
    router.route("/eventbus/*").subRouter(h.sockJs().router());
    router.route().handler(ProxyRoutes.beforeBodies(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)));

    router.get("/health").handler(h.health()::health);
    router.get("/ready").handler(h.health()::ready);
    router.get("/metrics").handler(h.metrics());
    router.get(ConsoleRoutes.PATH + "/*").handler(h.console()::serve);
    router.get("/v1/oauth/:provider/callback").handler(h.onboarding()::callback);

    router.route("/v1/*").handler(gate::authenticate);
    v1(router, HttpMethod.GET, "/v1/tokens", KeyAction.ADMIN, h.tokens()::list);
    v1(router, HttpMethod.GET, "/v1/tokens/:provider", KeyAction.READ, h.tokens()::get);
    v1(router, HttpMethod.POST, "/v1/tokens/:provider/refresh", KeyAction.REFRESH, h.tokens()::refresh);
    v1(router, HttpMethod.PUT, "/v1/tokens/:provider", KeyAction.ADMIN, h.tokens()::importGrant);
    v1(router, HttpMethod.DELETE, "/v1/tokens/:provider", KeyAction.ADMIN, h.tokens()::forget);
    v1(router, HttpMethod.GET, "/v1/providers", KeyAction.ADMIN, h.providers()::list);
    v1(router, HttpMethod.POST, "/v1/oauth/:provider/authorize", KeyAction.ADMIN, h.onboarding()::authorize);
    v1(router, HttpMethod.GET, "/v1/events", KeyAction.EVENTS, h.events()::handle);
    io.vertx.ext.web.Route proxy = router.route(ProxyRoutes.PREFIX + "*");
    ProxyRoutes.methods().forEach(proxy::method);
    proxy.handler(Gate.requires(KeyAction.PROXY)).handler(ProxyRoutes::refuseNormalised);

    router.errorHandler(404, ctx -> HttpErrors.send(ctx, 404, "not_found", "no such route: " + ctx.request().method() + " "
        + ctx.request().path()));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed here"));
    router.errorHandler(413, ctx -> HttpErrors.send(ctx, 413, "request_too_large", "request bodies are limited to 64 KiB"));
    router.errorHandler(400, ctx -> HttpErrors.send(ctx, 400, "invalid_request", "the request could not be read"));
    router.errorHandler(500, ctx -> HttpErrors.fail(ctx, ctx.failure()));
    return router;
  }

  private static void v1(Router router, HttpMethod method, String path, KeyAction action, Handler<RoutingContext> handler) {
    router.route(method, path).handler(Gate.requires(action)).handler(handler);
  }
}
