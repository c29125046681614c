package dev.tokenbroker.http;

import dev.tokenbroker.config.ApiKey;
import dev.tokenbroker.config.KeyAction;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * The HTTP server's request handler: {@code GET /v1/tokens/{provider}} written the common way
 * (a plain provider name, nothing to decode or normalize) is answered here, every other request
 * goes to the router. A cache hit is most of the broker's traffic, and the router's work per
 * request (a routing context, a dozen routes matched in turn, two of them regular expressions, a
 * body handler, end-handler lists) cost as much as the rest of the hit. Nothing is skipped: the
 * API key is checked ({@link ConnectionKeys}), its scope applied, the request logged and metered
 * ({@link AccessLog}), errors are the same as on the router's route, which serves the same route
 * through the same {@link TokenGet} for the paths this lane leaves to it.
 */
final class HotPath implements Handler<HttpServerRequest> {
  private static final String PREFIX = "/v1/tokens/";

  private final Handler<HttpServerRequest> router;
  private final ConnectionKeys keys;
  private final TokenGet tokenGet;
  private final AccessLog accessLog;

  HotPath(Handler<HttpServerRequest> router, ConnectionKeys keys, TokenGet tokenGet, AccessLog accessLog) {
    this.router = router;
    this.keys = keys;
    this.tokenGet = tokenGet;
    this.accessLog = accessLog;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String provider = request.method() == HttpMethod.GET ? plainProvider(request.path()) : null;
    if (provider == null) {
      router.handle(request);
      return;
    }
    long started = System.nanoTime();
    Optional<ApiKey> key = keys.authenticate(request.connection(), request.getHeader(HttpHeaders.AUTHORIZATION));
    String keyName = key.map(ApiKey::name).orElse(null);
    request.response().endHandler(v -> accessLog.record(request, request.response().getStatusCode(), started, keyName));
    if (key.isEmpty()) {
      HttpErrors.unauthorized(request.response());
      return;
    }
    Optional<String> refusal = key.get().scope().refusal(KeyAction.READ);
    if (refusal.isPresent()) {
      HttpErrors.send(request.response(), ScopeCheck.forbidden(refusal.get()));
      return;
    }
    tokenGet.serve(request, provider, key.get());
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
