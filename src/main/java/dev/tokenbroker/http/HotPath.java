package dev.tokenbroker.http;

import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.auth.KeyAction;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * The HTTP server's request handler. Two kinds of request are served here, before the router:
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
 * Every other request goes to the router. Nothing is skipped: the API key is checked
 * ({@link ConnectionKeys}), its scope applied, the request logged and metered ({@link AccessLog}),
 * errors are the same as the router's.
 */
final class HotPath implements Handler<HttpServerRequest> {
  private static final String PREFIX = "/v1/tokens/";

  private final Handler<HttpServerRequest> router;
  private final ConnectionKeys keys;
  private final TokenGet tokenGet;
  private final ProxyRoutes proxy;
  private final AccessLog accessLog;

  HotPath(Handler<HttpServerRequest> router, ConnectionKeys keys, TokenGet tokenGet, ProxyRoutes proxy, AccessLog accessLog) {
    this.router = router;
    this.keys = keys;
    this.tokenGet = tokenGet;
    this.proxy = proxy;
    this.accessLog = accessLog;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String provider = request.method() == HttpMethod.GET ? plainProvider(request.path()) : null;
    KeyAction action = provider != null ? KeyAction.READ : ProxyRoutes.serves(request) ? KeyAction.PROXY : null;
    if (action == null) {
      router.handle(request);
      return;
    }
    long started = System.nanoTime();
    Optional<ApiKey> key = keys.authenticate(request.connection(), request.getHeader(HttpHeaders.AUTHORIZATION));
    Optional<String> refusal = key.flatMap(k -> k.scope().refusal(action));
    if (key.isPresent() && refusal.isEmpty() && action == KeyAction.PROXY) {
      proxy.serve(request, key.get(), started); // logs and meters the request itself
      return;
    }
    String keyName = key.map(ApiKey::name).orElse(null);
    request.response().endHandler(v -> accessLog.record(request, request.response().getStatusCode(), started, keyName));
    if (key.isEmpty()) {
      HttpErrors.unauthorized(request.response());
    } else if (refusal.isPresent()) {
      HttpErrors.send(request.response(), ScopeCheck.forbidden(refusal.get()));
    } else {
      tokenGet.serve(request, provider, key.get());
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
