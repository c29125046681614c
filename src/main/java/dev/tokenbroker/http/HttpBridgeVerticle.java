package dev.tokenbroker.http;

import dev.tokenbroker.config.HttpConfig;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.metrics.BrokerMetrics;
import dev.tokenbroker.net.OutboundHttp;
import dev.tokenbroker.onboarding.OnboardingService;
import dev.tokenbroker.proxy.ApiProxy;
import dev.tokenbroker.proxy.RejectionBudget;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.log.Log;
import dev.tokenbroker.cluster.ClusterManagers;
import dev.tokenbroker.net.ConnectionChannels;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * The HTTP bridge: the event-bus semantics over HTTP for services that are not verticles, the
 * onboarding flow, events (SSE and SockJS), the operator console, health and metrics. Every {@code /v1} route except
 * the OAuth callback needs {@code Authorization: Bearer <api key>}, and the key's scope must cover
 * the route's action and the token's provider and account ({@link ScopeCheck}). The API proxy
 * ({@link ProxyRoutes}) streams its bodies, so the body handler skips it. This class only
 * assembles the router; each group of routes lives in its own class.
 */
public final class HttpBridgeVerticle extends VerticleBase {
  private static final Log LOG = Log.of(HttpBridgeVerticle.class);
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /** A key that is never stored: reading it proves the store answers. */
  private static final TokenKey PROBE = new TokenKey("readiness-probe", "probe");

  private final TokenService service;
  private final OnboardingService onboarding;
  private final BrokerMetrics metrics;
  private final HttpConfig config;
  private final ApiKeyAuth auth;
  private final ConnectionKeys connectionKeys;
  private final HttpLimits limits;
  private final RejectionBudget rejections;
  private final String providerTrustPem;
  private final AtomicLong refusedConnections = new AtomicLong();
  private HttpServer server;
  private HttpClient proxyClient;
  private EventStream events;

  /**
   * @param limits the node's limits, shared by all its HTTP verticle instances
   * @param rejections the node's budget of 401-triggered rotations, shared by all its HTTP verticle instances
   */
  public HttpBridgeVerticle(TokenService service, OnboardingService onboarding, BrokerMetrics metrics, HttpConfig config,
                            HttpLimits limits, RejectionBudget rejections, String providerTrustPem) {
    this.rejections = rejections;
    this.providerTrustPem = providerTrustPem;
    this.service = service;
    this.onboarding = onboarding;
    this.metrics = metrics;
    this.config = config;
    this.auth = new ApiKeyAuth(config.apiKeys());
    this.connectionKeys = new ConnectionKeys(auth);
    this.limits = limits;
  }

  @Override
  public Future<?> start() {
    return ConsoleRoutes.load(vertx).compose(this::serve);
  }

  private Future<HttpServer> serve(ConsoleRoutes console) {
    Router router = Router.router(vertx);
    AccessLog accessLog = new AccessLog(metrics);
    router.route().handler(accessLog);
    // SockJS upgrades to WebSocket: it must come before the body handler
    new EventBusBridge(vertx, auth).mount(router);
    router.route().handler(ProxyRoutes::refuseDisguised);
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router.route().handler(ctx -> {
      if (ProxyRoutes.isProxied(ctx)) {
        ctx.next();
      } else {
        bodies.handle(ctx);
      }
    });

    router.get("/health").handler(HealthCheckHandler.create(vertx)
        .register("event-loop", promise -> promise.complete(Status.OK())));
    router.get("/ready").handler(HealthCheckHandler.create(vertx)
        .register("token-store", 2000, promise -> service.store().ready(PROBE)
            .onComplete(ar -> promise.complete(ar.succeeded() ? Status.OK() : Status.KO())))
        .register("durable-writes", promise -> {
          int pending = service.store().pendingDurableWrites();
          promise.complete(pending == 0 ? Status.OK() : Status.KO(new io.vertx.core.json.JsonObject().put("pending", pending)));
        })
        .register("cluster", promise -> promise.complete(!vertx.isClustered()
            || ClusterManagers.of(vertx).isActive() ? Status.OK() : Status.KO())));
    router.get("/metrics").handler(metrics.scrapeHandler());
    // the console's static files need no API key (they hold no data); everything they show comes from /v1 with one
    console.mount(router);

    OnboardingRoutes onboardingRoutes = new OnboardingRoutes(service, onboarding);
    onboardingRoutes.mountCallback(router);
    router.route("/v1/*").handler(ctx -> connectionKeys.authenticate(ctx.request().connection(),
        ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).ifPresentOrElse(key -> {
      ScopeCheck.remember(ctx, key);
      ctx.next();
    }, () -> HttpErrors.unauthorized(ctx.response())));
    // each route below names the action it needs, and a token's provider and account are held to the key's scope (ScopeCheck)
    TokenGet tokenGet = new TokenGet(service);
    new TokenRoutes(service, tokenGet).mount(router);
    new ProviderRoutes(service).mount(router);
    onboardingRoutes.mountAuthorize(router);
    // providers' APIs are trusted like their token endpoints: tls.provider-trust-pem, host names verified
    HttpClientOptions proxyOptions = new HttpClientOptions().setKeepAlive(true).setDecompressionSupported(false)
        .setVerifyHost(true);
    if (providerTrustPem != null) {
      proxyOptions.setTrustOptions(new PemTrustOptions().addCertPath(providerTrustPem));
    }
    proxyClient = OutboundHttp.client(vertx, proxyOptions, new PoolOptions().setHttp1MaxSize(64));
    ProxyRoutes proxyRoutes = new ProxyRoutes(service, new ApiProxy(vertx, proxyClient, service, rejections,
        config.limits().proxyMaxBodyBytes()), metrics, accessLog);
    proxyRoutes.mount(router);
    // a heartbeat at least twice per idle timeout, so that idle streams are not closed
    events = new EventStream(vertx, limits,
        Math.min(EventStream.HEARTBEAT_MS, config.limits().idleTimeoutSeconds() * 1000L / 2));
    router.get("/v1/events").handler(ScopeCheck.action(KeyAction.EVENTS)).handler(events::handle);

    router.errorHandler(404, ctx -> HttpErrors.send(ctx, 404, "not_found", "no such route: " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed here"));
    router.errorHandler(413, ctx -> HttpErrors.send(ctx, 413, "request_too_large", "request bodies are limited to 64 KiB"));
    router.errorHandler(400, ctx -> HttpErrors.send(ctx, 400, "invalid_request", "the request could not be read"));
    router.errorHandler(500, ctx -> HttpErrors.fail(ctx, ctx.failure()));

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024)
        .setIdleTimeout(config.limits().idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // HTTP/1.1 only: with cleartext HTTP/2 (h2c) on, Vert.x creates a connection (and calls the
        // connection handler that enforces http.max-connections) only once the client has sent bytes
        .setHttp2ClearTextEnabled(false);
    if (config.tlsCertPath() != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCertPath()).setKeyPath(config.tlsKeyPath()));
    }
    return events.start().compose(v -> vertx.createHttpServer(options)
        .connectionHandler(this::admit)
        .requestHandler(new HotPath(router, connectionKeys, tokenGet, proxyRoutes, accessLog))
        .listen()
        .onSuccess(s -> server = s));
  }

  /**
   * Counts the node's connections; one beyond {@code http.max-connections} is closed as soon as it
   * is accepted, before it holds any buffer or request state (answering it 503 would mean keeping
   * it open until the client sends a request, which is what the cap is to prevent).
   */
  private void admit(HttpConnection connection) {
    if (!limits.openConnection()) {
      long refused = refusedConnections.incrementAndGet();
      if (refused == 1 || refused % 1000 == 0) {
        LOG.warn("Refused " + refused + " connection(s): this node already has " + config.limits().maxConnections()
            + " open (http.max-connections)");
      }
      connection.close();
      return;
    }
    // a connection upgraded to a WebSocket (SockJS) no longer reports its close to its HTTP close
    // handler; its channel does
    AtomicBoolean counted = new AtomicBoolean(true);
    Runnable closed = () -> {
      if (counted.getAndSet(false)) {
        limits.connectionClosed();
        connectionKeys.closed(connection);
      }
    };
    connection.closeHandler(v -> closed.run());
    ConnectionChannels.onClose(connection, closed);
  }

  /** Stops accepting requests and lets those in flight finish, for at most {@link #SHUTDOWN_GRACE}. */
  @Override
  public Future<?> stop() {
    Future<Void> shutdown = server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    return shutdown.onComplete(ar -> {
      if (proxyClient != null) {
        proxyClient.close();
      }
      if (events != null) {
        events.stop();
      }
    });
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
