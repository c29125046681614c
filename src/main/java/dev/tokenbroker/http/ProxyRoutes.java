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
import dev.tokenbroker.service.ProviderCatalog;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET|POST|PUT|PATCH|DELETE /v1/proxy/<provider>/<path>} (action proxy): the provider's API
 * called with the account's token ({@link ApiProxy}). Such a request, written with the prefix as
 * it is, never reaches the router: the {@link FastLane} hands it to {@link #serve}, which lets the
 * {@link Gate} check its key and reads the raw path - never a normalised one - so what
 * {@link ProxyPath} checked is what is sent, and no body handler reads the body: it streams.
 * In the router, {@link #beforeBodies} refuses (400) the paths that only reach the prefix by
 * normalisation ({@code /v1/./proxy/...}, {@code /v1/proxy/p/%2e%2e/...}), and their bodies are
 * never read.
 */
final class ProxyRoutes {
  static final String PREFIX = "/v1/proxy/";
  static final String ACCOUNT_HEADER = "Token-Broker-Account";
  private static final Set<HttpMethod> METHODS = Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
      HttpMethod.DELETE);
  private static final String NOT_AS_WRITTEN = "the path must start with " + PREFIX + "<provider>/ as written, without dot segments";

  private final ProviderCatalog providers;
  private final ApiProxy proxy;
  private final BrokerMetrics metrics;
  private final Map<String, ApiBase> bases = new ConcurrentHashMap<>();

  ProxyRoutes(ProviderCatalog providers, ApiProxy proxy, BrokerMetrics metrics) {
    this.providers = providers;
    this.proxy = proxy;
    this.metrics = metrics;
  }

  /** True for a request {@link #serve} is for: a proxy method and the prefix as written. */
  static boolean serves(HttpServerRequest request) {
    String path = request.path();
    return path != null && path.startsWith(PREFIX) && METHODS.contains(request.method());
  }

  /**
   * The router's handler in front of {@code bodies}: a request under the proxy's prefix, raw or
   * normalised, is never read by it (the router only meets such a request when the prefix was not
   * written as it is, and refuses it: 400 here when normalisation moved it elsewhere,
   * {@code /v1/proxy/p/%2e%2e/%2e%2e/x}, else in {@link #refuseNormalised}); every other request is.
   */
  static Handler<RoutingContext> beforeBodies(Handler<RoutingContext> bodies) {
    return ctx -> {
      boolean raw = ctx.request().path().startsWith(PREFIX);
      boolean normalised = ctx.normalizedPath().startsWith(PREFIX);
      if (raw && !normalised) {
        HttpErrors.send(ctx, BrokerException.invalidRequest("the path has a '..' segment"));
      } else if (raw || normalised) {
        ctx.next();
      } else {
        bodies.handle(ctx);
      }
    };
  }

  /** The methods of the router's route under the prefix. */
  static Set<HttpMethod> methods() {
    return METHODS;
  }

  /** The router's route under the prefix: only paths that reach it by normalisation, refused (400). */
  static void refuseNormalised(RoutingContext ctx) {
    HttpErrors.send(ctx, BrokerException.invalidRequest(NOT_AS_WRITTEN));
  }

  /**
   * Serves a request {@link #serves} is for once the {@link Gate} admits it. Meters it when it ends:
   * {@code tokenbroker_proxy_*} once its provider is known to be configured.
   */
  void serve(HttpServerRequest request, Gate gate) {
    long started = System.nanoTime();
    String rest = request.path().substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String provider = slash < 0 ? rest : rest.substring(0, slash);
    ApiKey apiKey = gate.admit(request, KeyAction.PROXY, started, () -> {
      if (providers.names().contains(provider)) { // no meters for names callers make up
        metrics.proxied(provider, request.response().getStatusCode(), System.nanoTime() - started);
      }
    });
    if (apiKey == null) {
      return;
    }
    request.pause();
    try {
      ProviderSpec spec = providers.provider(provider);
      TokenKey key = new TokenKey(provider, TokenRequest.account(accountHeader(request)));
      Gate.token(apiKey.scope(), KeyAction.PROXY, key);
      providers.checkAccount(key);
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
