package dev.tokenbroker.http;

import dev.tokenbroker.config.HttpConfig;
import dev.tokenbroker.metrics.BrokerMetrics;
import dev.tokenbroker.onboarding.OnboardingService;
import dev.tokenbroker.proxy.ApiProxy;
import dev.tokenbroker.proxy.RejectionBudget;
import dev.tokenbroker.service.BrokerServices;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP bridge: the event-bus semantics over HTTP for services that are not verticles, the
 * onboarding flow, events (SSE and SockJS), the API proxy, the operator console, health and
 * metrics. This verticle only builds the parts and starts the server: every route is declared in
 * {@link Routes}, every request passes the {@link Gate}, and the {@link FastLane} serves the token
 * GET and the proxy before the router.
 */
public final class HttpBridgeVerticle extends VerticleBase {
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private final BrokerServices services;
  private final OnboardingService onboarding;
  private final BrokerMetrics metrics;
  private final HttpConfig config;
  private final ApiKeyAuth auth;
  private final HttpLimits limits;
  private final RejectionBudget rejections;
  private final String providerTrustPem;
  private HttpServer server;
  private ApiProxy proxy;
  private EventStream events;

  /**
   * @param limits the node's limits, shared by all its HTTP verticle instances
   * @param rejections the node's budget of 401-triggered rotations, shared by all its HTTP verticle instances
   */
  public HttpBridgeVerticle(BrokerServices services, OnboardingService onboarding, BrokerMetrics metrics, HttpConfig config,
                            HttpLimits limits, RejectionBudget rejections, String providerTrustPem) {
    this.rejections = rejections;
    this.providerTrustPem = providerTrustPem;
    this.services = services;
    this.onboarding = onboarding;
    this.metrics = metrics;
    this.config = config;
    this.auth = new ApiKeyAuth(config.apiKeys());
    this.limits = limits;
  }

  @Override
  public Future<?> start() {
    return ConsoleRoutes.load(vertx).compose(this::serve);
  }

  private Future<HttpServer> serve(ConsoleRoutes console) {
    Gate gate = new Gate(auth, new AccessLog(metrics));
    TokenGet tokenGet = new TokenGet(services);
    // a heartbeat at least twice per idle timeout, so that idle streams are not closed
    events = new EventStream(vertx, limits, Math.min(EventStream.HEARTBEAT_MS, config.limits().idleTimeoutSeconds() * 1000L / 2));
    proxy = ApiProxy.create(vertx, providerTrustPem, services.tokens(), rejections, config.limits().proxyMaxBodyBytes());
    Router router = Routes.router(vertx, new Routes.Handlers(gate, new HealthRoutes(vertx, services.tokens()), metrics.scrapeHandler(),
        console, new OnboardingRoutes(services.providers(), onboarding), new EventBusBridge(vertx, gate), new TokenRoutes(services, tokenGet),
        new ProviderRoutes(services.providers()), events));
    FastLane lane = new FastLane(router, gate, tokenGet, new ProxyRoutes(services.providers(), proxy, metrics));
    return events.start().compose(v -> vertx.createHttpServer(options())
        .connectionHandler(new ConnectionCap(limits, gate, config.limits().maxConnections()))
        .requestHandler(lane)
        .listen()
        .onSuccess(s -> server = s));
  }

  private HttpServerOptions options() {
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
    return options;
  }

  /** Stops accepting requests and lets those in flight finish, for at most {@link #SHUTDOWN_GRACE}. */
  @Override
  public Future<?> stop() {
    Future<Void> shutdown = server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    return shutdown.onComplete(ar -> {
      if (proxy != null) {
        proxy.close();
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
