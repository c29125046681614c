package dev.tokenbroker.http;

import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.auth.KeyAction;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The HTTP server's request handler: two routes of the table ({@link Routes}) are served here,
 * before the router, and every other request goes to the router.
 * <ul>
 *   <li>{@code GET /v1/tokens/{provider}} written the common way (a plain provider name, nothing to
 *       decode or normalize). A cache hit is most of the broker's traffic, and the router's work
 *       per request (a routing context, a dozen routes matched in turn, two of them regular
 *       expressions, a body handler, end-handler lists) cost as much as the rest of the hit. The
 *       router serves the same route through the same {@link TokenGet} for the paths this lane
 *       leaves to it.</li>
 *   <li>API proxy requests ({@link ProxyRoutes#serves}): their path must be read raw and their
 *       body must stream, so the router has nothing to add, and its cost was a tenth of a proxied
 *       request's.</li>
 * </ul>
 * Nothing is skipped: both pass the {@link Gate} like every routed request.
 */
final class FastLane implements Handler<HttpServerRequest> {
  private static final String PREFIX = "/v1/tokens/";

  private final Handler<HttpServerRequest> router;
  private final Gate gate;
  private final TokenGet tokenGet;
  private final ProxyRoutes proxy;

  FastLane(Handler<HttpServerRequest> router, Gate gate, TokenGet tokenGet, ProxyRoutes proxy) {
    this.router = router;
    this.gate = gate;
    this.tokenGet = tokenGet;
    this.proxy = proxy;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String provider = request.method() == HttpMethod.GET ? plainProvider(request.path()) : null;
    if (provider != null) {
      ApiKey key = gate.admit(request, KeyAction.READ, System.nanoTime(), null);
      if (key != null) {
        tokenGet.serve(request, provider, key);
      }
    } else if (ProxyRoutes.serves(request)) {
      proxy.serve(request, gate);
    } else {
      router.handle(request);
    }
  }

  /**
   * The provider of {@code /v1/tokens/{provider}} when it is written as a provider name is
   * ({@code [a-z0-9][a-z0-9-]{0,31}}), else null (the router decides what the path means).
   */
  static String plainProvider(String path) {
    if (path == null || !path.startsWith(PREFIX)) {
      return null;
    }
    int length = path.length() - PREFIX.length();
    if (length < 1 || length > 32) {
      return null;
    }
    for (int i = PREFIX.length(); i < path.length(); i++) {
      char c = path.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > PREFIX.length());
      if (!allowed) {
        return null;
      }
    }
    return path.substring(PREFIX.length());
  }
}
