package dev.tokenbroker.http;

import dev.tokenbroker.wire.TokenRequest;
import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.metrics.BrokerMetrics;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.proxy.ApiBase;
import dev.tokenbroker.proxy.ApiProxy;
import dev.tokenbroker.proxy.ProxyPath;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET|POST|PUT|PATCH|DELETE /v1/proxy/<provider>/<path>} (action proxy): the provider's API
 * called with the account's token ({@link ApiProxy}). Such a request, written with the prefix as
 * it is, never reaches the router: the server's handler ({@link HotPath}) checks its key and hands
 * it to {@link #serve}, which reads the raw path - never a normalised one - so what
 * {@link ProxyPath} checked is what is sent, and no body handler reads the body: it streams.
 * The router's route under the prefix only meets paths that reach it by normalisation
 * ({@code /v1/./proxy/...}, {@code /v1/proxy/p/%2e%2e/...}) and refuses them (400).
 */
final class ProxyRoutes {
  static final String PREFIX = "/v1/proxy/";
  static final String ACCOUNT_HEADER = "Token-Broker-Account";
  private static final Set<HttpMethod> METHODS = Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
      HttpMethod.DELETE);
  private static final String NOT_AS_WRITTEN = "the path must start with " + PREFIX + "<provider>/ as written, without dot segments";

  private final TokenService service;
  private final ApiProxy proxy;
  private final BrokerMetrics metrics;
  private final AccessLog accessLog;
  private final Map<String, ApiBase> bases = new ConcurrentHashMap<>();

  ProxyRoutes(TokenService service, ApiProxy proxy, BrokerMetrics metrics, AccessLog accessLog) {
    this.service = service;
    this.proxy = proxy;
    this.metrics = metrics;
    this.accessLog = accessLog;
  }

  /** True for a request {@link #serve} is for: a proxy method and the prefix as written. */
  static boolean serves(HttpServerRequest request) {
    String path = request.path();
    return path != null && path.startsWith(PREFIX) && METHODS.contains(request.method());
  }

  /** True for a request under the proxy's prefix, raw or normalised: the body handler leaves it alone. */
  static boolean isProxied(RoutingContext ctx) {
    return ctx.normalizedPath().startsWith(PREFIX) || ctx.request().path().startsWith(PREFIX);
  }

  /**
   * Refuses (400) a request written as a proxy call whose path the router's normalisation moved
   * elsewhere ({@code /v1/proxy/p/%2e%2e/%2e%2e/x}): it must neither reach another route nor a 404.
   */
  static void refuseDisguised(RoutingContext ctx) {
    if (ctx.request().path().startsWith(PREFIX) && !ctx.normalizedPath().startsWith(PREFIX)) {
      HttpErrors.send(ctx, BrokerException.invalidRequest("the path has a '..' segment"));
    } else {
      ctx.next();
    }
  }

  /** The router's route: only requests whose raw path is not the prefix as written get here. */
  void mount(Router router) {
    io.vertx.ext.web.Route route = router.route(PREFIX + "*");
    METHODS.forEach(route::method);
    route.handler(ScopeCheck.action(KeyAction.PROXY)).handler(ctx -> HttpErrors.send(ctx, BrokerException.invalidRequest(NOT_AS_WRITTEN)));
  }

  /**
   * Serves a request {@link #serves} is for, whose key is accepted and may proxy. Logs and meters
   * it when it ends: {@code tokenbroker_proxy_*} once its provider is known to be configured.
   */
  void serve(HttpServerRequest request, ApiKey apiKey, long started) {
    request.pause();
    String rest = request.path().substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String provider = slash < 0 ? rest : rest.substring(0, slash);
    request.response().endHandler(v -> {
      int status = request.response().getStatusCode();
      accessLog.record(request, status, started, apiKey.name());
      if (service.providerNames().contains(provider)) { // no meters for names callers make up
        metrics.proxied(provider, status, System.nanoTime() - started);
      }
    });
    try {
      ProviderSpec spec = service.provider(provider);
      TokenKey key = new TokenKey(provider, TokenRequest.account(accountHeader(request)));
      ScopeCheck.token(apiKey.scope(), KeyAction.PROXY, key);
      service.checkAccount(key);
      if (spec.apiBaseUrl() == null) {
        throw BrokerException.invalidRequest("provider '" + provider + "' has no API base: set providers." + provider
            + ".api-base-url");
      }
      ApiBase base = bases.computeIfAbsent(spec.apiBaseUrl(), ApiBase::parse);
      String uri = ProxyPath.requestUri(base, slash < 0 ? "" : rest.substring(slash + 1), request.query());
      proxy.forward(key, spec, base, uri, request, request.response()).onFailure(t -> failed(request, t));
    } catch (RuntimeException e) {
      failed(request, e);
    }
  }

  private static String accountHeader(HttpServerRequest request) {
    List<String> values = request.headers().getAll(ACCOUNT_HEADER);
    if (values.size() > 1) {
      throw BrokerException.invalidRequest(ACCOUNT_HEADER + " may be given only once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** The error as JSON while nothing of the answer is sent (the body left unread is dropped), else a reset. */
  private static void failed(HttpServerRequest request, Throwable t) {
    BrokerException error = BrokerException.from(t);
    if (error.code() != ErrorCode.REQUEST_TOO_LARGE && !request.isEnded()) {
      // a refused request's body is not read: close the connection after the answer
      request.response().putHeader("Connection", "close");
      request.handler(chunk -> {});
      request.resume();
    }
    HttpErrors.fail(request, t);
  }
}
