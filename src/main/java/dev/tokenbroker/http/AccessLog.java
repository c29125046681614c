package dev.tokenbroker.http;

import dev.tokenbroker.metrics.BrokerMetrics;
import io.vertx.core.Handler;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.ext.web.RoutingContext;

/**
 * One line per request: method, path (never the query string: the OAuth callback's code and
 * state live there), status, duration and the configured name of the API key that was accepted.
 * No headers, so no API keys. Every request is also timed in
 * {@code tokenbroker_http_requests_seconds{method,route,status}} (the route's template, see
 * {@link RouteLabel}).
 */
final class AccessLog implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger("dev.tokenbroker.http.access");
  private final BrokerMetrics metrics;

  AccessLog(BrokerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    ctx.addEndHandler(v -> {
      metrics.httpRequest(RouteLabel.method(ctx.request().method()), RouteLabel.of(ctx.request().path()),
          ctx.response().getStatusCode(), System.nanoTime() - started);
      if (LOG.isDebugEnabled() || ctx.response().getStatusCode() >= 500) {
        String keyName = ScopeCheck.keyName(ctx);
        String line = ctx.request().method() + " " + ctx.request().path() + " " + ctx.response().getStatusCode() + " "
            + (System.nanoTime() - started) / 1_000_000 + " ms" + (keyName == null ? "" : " key=" + keyName);
        if (ctx.response().getStatusCode() >= 500) {
          LOG.warn(line);
        } else {
          LOG.debug(line);
        }
      }
    });
    ctx.next();
  }
}
