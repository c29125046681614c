package dev.tokenbroker.http;

import dev.tokenbroker.metrics.BrokerMetrics;
import dev.tokenbroker.log.Log;
import io.vertx.core.http.HttpServerRequest;

/**
 * One line per request: method, path (never the query string: the OAuth callback's code and
 * state live there), status, duration and the configured name of the API key that was accepted.
 * No headers, so no API keys. Every request is also timed in
 * {@code tokenbroker_http_requests_seconds{method,route,status}} (the route's template, see
 * {@link RouteLabel}). Only the {@link Gate} records requests.
 */
final class AccessLog {
  private static final Log LOG = Log.named("dev.tokenbroker.http.access");
  private final BrokerMetrics metrics;

  AccessLog(BrokerMetrics metrics) {
    this.metrics = metrics;
  }

  /** Meters and, at debug level or for a 5xx, logs a request that ended with {@code status}. */
  void record(HttpServerRequest request, int status, long startedNanos, String keyName) {
    long nanos = System.nanoTime() - startedNanos;
    metrics.httpRequest(RouteLabel.method(request.method()), RouteLabel.of(request.path()), status, nanos);
    if (LOG.isDebugEnabled() || status >= 500) {
      String line = request.method() + " " + request.path() + " " + status + " " + nanos / 1_000_000 + " ms"
          + (keyName == null ? "" : " key=" + keyName);
      if (status >= 500) {
        LOG.warn(line);
      } else {
        LOG.debug(line);
      }
    }
  }
}
