package dev.tokenbroker.net;

import dev.tokenbroker.log.Log;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.PoolOptions;

/**
 * The HTTP clients the broker calls out with: providers' token endpoints, their APIs, webhooks.
 * When what the other side sends cannot be parsed (a body without a status line, a header over
 * the limit, a Content-Length that is not a number), Vert.x reports it on the connection, and a
 * connection without an exception handler gets it logged with its message - which quotes the bytes
 * received: a provider's garbage answer carrying a token would put the token in the log. Every
 * connection of these clients has a handler that logs the kind of failure and the peer, never the
 * message; the request on the connection fails as well, and its caller answers and logs that.
 */
public final class OutboundHttp {
  private static final Log LOG = Log.of(OutboundHttp.class);

  private OutboundHttp() {}

  public static HttpClientAgent client(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
    return vertx.httpClientBuilder().with(options).with(pool).withConnectHandler(OutboundHttp::watch).build();
  }

  public static HttpClientAgent client(Vertx vertx, HttpClientOptions options) {
    return client(vertx, options, new PoolOptions());
  }

  private static void watch(HttpConnection connection) {
    connection.exceptionHandler(failure -> LOG.debug("connection to " + connection.remoteAddress() + " failed: "
        + failure.getClass().getSimpleName()));
  }
}
