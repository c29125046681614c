package dev.tokenbroker.http;

import dev.tokenbroker.config.HttpConfig;
import dev.tokenbroker.config.KeyAction;
import dev.tokenbroker.metrics.BrokerMetrics;
import dev.tokenbroker.onboarding.OnboardingService;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.TokenService;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * The HTTP bridge: the event-bus semantics over HTTP for services that are not verticles, the
 * onboarding flow, events (SSE and SockJS), health and metrics. Every {@code /v1} route except
 * the OAuth callback needs {@code Authorization: Bearer <api key>}, and the key's scope must cover
 * the route's action and the token's provider and account ({@link ScopeCheck}). This class only
 * assembles the router; each group of routes lives in its own class.
 */
public final class HttpBridgeVerticle extends VerticleBase {
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /** A key that is never stored: reading it proves the store answers. */
  private static final TokenKey PROBE = new TokenKey("readiness-probe", "probe");

  private final TokenService service;
  private final OnboardingService onboarding;
  private final BrokerMetrics metrics;
  private final HttpConfig config;
  private final ApiKeyAuth auth;
  private HttpServer server;

  public HttpBridgeVerticle(TokenService service, OnboardingService onboarding, BrokerMetrics metrics, HttpConfig config) {
    this.service = service;
    this.onboarding = onboarding;
    this.metrics = metrics;
    this.config = config;
    this.auth = new ApiKeyAuth(config.apiKeys());
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(new AccessLog());
    // SockJS upgrades to WebSocket: it must come before the body handler
    new EventBusBridge(vertx, auth).mount(router);
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));

    router.get("/health").handler(HealthCheckHandler.create(vertx)
        .register("event-loop", promise -> promise.complete(Status.OK())));
    router.get("/ready").handler(HealthCheckHandler.create(vertx)
        .register("token-store", 2000, promise -> service.store().load(PROBE)
            .onComplete(ar -> promise.complete(ar.succeeded() ? Status.OK() : Status.KO())))
        .register("durable-writes", promise -> {
          int pending = service.store().pendingDurableWrites();
          promise.complete(pending == 0 ? Status.OK() : Status.KO(new io.vertx.core.json.JsonObject().put("pending", pending)));
        })
        .register("cluster", promise -> promise.complete(!vertx.isClustered()
            || ((VertxInternal) vertx).clusterManager().isActive() ? Status.OK() : Status.KO())));
    router.get("/metrics").handler(metrics.scrapeHandler());

    OnboardingRoutes onboardingRoutes = new OnboardingRoutes(service, onboarding);
    onboardingRoutes.mountCallback(router);
    router.route("/v1/*").handler(ctx -> auth.authenticate(ctx.request().getHeader("Authorization")).ifPresentOrElse(key -> {
      ScopeCheck.remember(ctx, key);
      ctx.next();
    }, () -> {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"token-broker\"");
      HttpErrors.send(ctx, 401, "unauthorized", "a valid API key is required: Authorization: Bearer <api key>");
    }));
    // each route below names the action it needs, and a token's provider and account are held to the key's scope (ScopeCheck)
    new TokenRoutes(service).mount(router);
    onboardingRoutes.mountAuthorize(router);
    router.get("/v1/events").handler(ScopeCheck.action(KeyAction.EVENTS)).handler(new EventStream(vertx)::handle);

    router.errorHandler(404, ctx -> HttpErrors.send(ctx, 404, "not_found", "no such route: " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed here"));
    router.errorHandler(413, ctx -> HttpErrors.send(ctx, 413, "request_too_large", "request bodies are limited to 64 KiB"));
    router.errorHandler(400, ctx -> HttpErrors.send(ctx, 400, "invalid_request", "the request could not be read"));
    router.errorHandler(500, ctx -> HttpErrors.fail(ctx, ctx.failure()));

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024);
    if (config.tlsCertPath() != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCertPath()).setKeyPath(config.tlsKeyPath()));
    }
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  /** Stops accepting requests and lets those in flight finish, for at most {@link #SHUTDOWN_GRACE}. */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
