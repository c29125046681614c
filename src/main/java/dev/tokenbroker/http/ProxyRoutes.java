package dev.tokenbroker.http;

import dev.tokenbroker.bus.TokenRequest;
import dev.tokenbroker.config.KeyAction;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.metrics.BrokerMetrics;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.proxy.ApiProxy;
import dev.tokenbroker.proxy.ProxyPath;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET|POST|PUT|PATCH|DELETE /v1/proxy/<provider>/<path>} (action proxy): the provider's API
 * called with the account's token ({@link ApiProxy}). The route reads the raw path - never the
 * router's normalised one - so what {@link ProxyPath} checked is what is sent. It must not sit
 * behind the body handler: bodies stream.
 */
final class ProxyRoutes {
  static final String PREFIX = "/v1/proxy/";
  static final String ACCOUNT_HEADER = "Token-Broker-Account";

  private final TokenService service;
  private final ApiProxy proxy;
  private final BrokerMetrics metrics;

  ProxyRoutes(TokenService service, ApiProxy proxy, BrokerMetrics metrics) {
    this.service = service;
    this.proxy = proxy;
    this.metrics = metrics;
  }

  /** True for a request the proxy route serves: the body handler leaves it alone. */
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

  void mount(Router router) {
    io.vertx.ext.web.Route route = router.route(PREFIX + "*");
    for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)) {
      route.method(m);
    }
    route.handler(ScopeCheck.action(KeyAction.PROXY)).handler(this::forward);
  }

  private void forward(RoutingContext ctx) {
    ctx.request().pause();
    long started = System.nanoTime();
    try {
      String raw = ctx.request().path();
      if (!raw.startsWith(PREFIX)) {
        throw BrokerException.invalidRequest("the path must start with " + PREFIX + "<provider>/ as written, without dot segments");
      }
      String rest = raw.substring(PREFIX.length());
      int slash = rest.indexOf('/');
      String provider = slash < 0 ? rest : rest.substring(0, slash);
      ProviderSpec spec = service.provider(provider);
      ctx.addEndHandler(v -> metrics.proxied(provider, ctx.response().getStatusCode(), System.nanoTime() - started));
      TokenKey key = new TokenKey(provider, TokenRequest.account(accountHeader(ctx)));
      ScopeCheck.token(ctx, KeyAction.PROXY, key);
      service.checkAccount(key);
      if (spec.apiBaseUrl() == null) {
        throw BrokerException.invalidRequest("provider '" + provider + "' has no API base: set providers." + provider
            + ".api-base-url");
      }
      String url = ProxyPath.target(spec.apiBaseUrl(), slash < 0 ? "" : rest.substring(slash + 1), ctx.request().query());
      proxy.forward(key, spec, url, ctx.request(), ctx.response()).onFailure(t -> failed(ctx, t));
    } catch (RuntimeException e) {
      failed(ctx, e);
    }
  }

  private static String accountHeader(RoutingContext ctx) {
    List<String> values = ctx.request().headers().getAll(ACCOUNT_HEADER);
    if (values.size() > 1) {
      throw BrokerException.invalidRequest(ACCOUNT_HEADER + " may be given only once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** The error as JSON while nothing of the answer is sent (the body left unread is dropped), else a reset. */
  private static void failed(RoutingContext ctx, Throwable t) {
    BrokerException error = BrokerException.from(t);
    if (error.code() != ErrorCode.REQUEST_TOO_LARGE && !ctx.request().isEnded()) {
      // a refused request's body is not read: close the connection after the answer
      ctx.response().putHeader("Connection", "close");
      ctx.request().handler(chunk -> {});
      ctx.request().resume();
    }
    HttpErrors.fail(ctx, t);
  }
}
