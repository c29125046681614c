package dev.tokenbroker.http;

import dev.tokenbroker.bus.TokenReplies;
import dev.tokenbroker.bus.TokenRequest;
import dev.tokenbroker.config.HttpConfig;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenService;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The HTTP bridge: the event-bus semantics over HTTP for services that are not verticles.
 * Every {@code /v1} route needs {@code Authorization: Bearer <api key>}.
 */
public final class HttpBridgeVerticle extends VerticleBase {
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** A key that is never stored: reading it proves the store answers. */
  private static final TokenKey PROBE = new TokenKey("readiness-probe", "probe");
  private static final Logger LOG = LoggerFactory.getLogger(HttpBridgeVerticle.class);

  private final TokenService service;
  private final HttpConfig config;
  private final ApiKeyAuth auth;
  private HttpServer server;

  public HttpBridgeVerticle(TokenService service, HttpConfig config) {
    this.service = service;
    this.config = config;
    this.auth = new ApiKeyAuth(config.apiKeys());
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.get("/health").handler(HealthCheckHandler.create(vertx)
        .register("event-loop", promise -> promise.complete(Status.OK())));
    router.get("/ready").handler(HealthCheckHandler.create(vertx)
        .register("token-store", 2000, promise -> service.store().load(PROBE)
            .onComplete(ar -> promise.complete(ar.succeeded() ? Status.OK() : Status.KO()))));
    router.route("/v1/*").handler(this::authenticate);
    router.get("/v1/tokens").handler(this::list);
    router.get("/v1/tokens/:provider").handler(ctx -> answer(ctx, key -> {
      MultiMap q = ctx.queryParams();
      return service.get(key, TokenRequest.minValidity(number(q, "min_validity")),
          TokenRequest.rejectedVersion(number(q, "rejected_version")));
    }));
    router.post("/v1/tokens/:provider/refresh").handler(ctx -> answer(ctx, key -> service.refresh(key, RotationReason.FORCED)));
    router.delete("/v1/tokens/:provider").handler(this::forget);

    router.errorHandler(404, ctx -> HttpErrors.send(ctx, 404, "not_found", "no such route: " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed here"));
    router.errorHandler(413, ctx -> HttpErrors.send(ctx, 413, "request_too_large", "request bodies are limited to 64 KiB"));
    router.errorHandler(400, ctx -> HttpErrors.send(ctx, 400, "invalid_request", "the request could not be read"));
    router.errorHandler(500, ctx -> {
      if (ctx.failure() != null) {
        LOG.error("Unexpected failure on " + ctx.request().method() + " " + ctx.request().path(), ctx.failure());
      }
      HttpErrors.send(ctx, BrokerException.from(ctx.failure()));
    });

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024);
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  private void authenticate(RoutingContext ctx) {
    if (auth.accepts(ctx.request().getHeader("Authorization"))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"token-broker\"");
    HttpErrors.send(ctx, 401, "unauthorized", "a valid API key is required: Authorization: Bearer <api key>");
  }

  private void answer(RoutingContext ctx, Function<TokenKey, Future<Token>> action) {
    Future<Token> result;
    try {
      String provider = ctx.pathParam("provider");
      service.provider(provider);
      result = action.apply(new TokenKey(provider, TokenRequest.account(single(ctx.queryParams(), "account"))));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        HttpErrors.json(ctx.response(), 200, TokenReplies.reply(ar.result(), service.policy().now()));
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  private void forget(RoutingContext ctx) {
    try {
      String provider = ctx.pathParam("provider");
      service.provider(provider);
      TokenKey key = new TokenKey(provider, TokenRequest.account(single(ctx.queryParams(), "account")));
      service.forget(key).onComplete(ar -> {
        if (ar.succeeded()) {
          ctx.response().setStatusCode(204).end();
        } else {
          fail(ctx, ar.cause());
        }
      });
    } catch (RuntimeException e) {
      fail(ctx, e);
    }
  }

  private void list(RoutingContext ctx) {
    Instant now = service.policy().now();
    List<Token> tokens = service.store().cachedAll().stream()
        .sorted(Comparator.comparing((Token t) -> t.key().provider()).thenComparing(t -> t.key().account()))
        .toList();
    JsonArray out = new JsonArray();
    for (Token t : tokens) {
      out.add(new JsonObject()
          .put("provider", t.key().provider())
          .put("account", t.key().account())
          .put("version", t.version())
          .put("expires_at", t.expiresAt().getEpochSecond())
          .put("state", t.authorizationRequired() ? "authorization_required" : t.expiresAt().isAfter(now) ? "valid" : "expired")
          .put("last_error", t.lastError()));
    }
    HttpErrors.json(ctx.response(), 200, new JsonObject().put("tokens", out));
  }

  private static void fail(RoutingContext ctx, Throwable cause) {
    if (!(cause instanceof BrokerException)) {
      LOG.error("Unexpected failure on " + ctx.request().method() + " " + ctx.request().path(), cause);
    }
    HttpErrors.send(ctx, BrokerException.from(cause));
  }

  /** A query value: at most once. */
  private static String single(MultiMap query, String name) {
    List<String> values = query.getAll(name);
    if (values.size() > 1) {
      throw BrokerException.invalidRequest(name + " may be given only once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** A whole-number query value as a Long, or null when absent. */
  private static Long number(MultiMap query, String name) {
    String value = single(query, name);
    if (value == null) {
      return null;
    }
    if (!value.matches("-?[0-9]{1,15}")) {
      throw BrokerException.invalidRequest(name + " must be a whole number");
    }
    return Long.parseLong(value);
  }

}
