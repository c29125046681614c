package dev.tokenbroker.http;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.log.Log;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every HTTP error body is {@code {"error","error_description"}} (plus retry_after where it applies). */
final class HttpErrors {
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final Log LOG = Log.of(HttpErrors.class);

  private HttpErrors() {}

  /** Any failure as the contract's error; unexpected ones (not a BrokerException) are logged with their detail. */
  static void fail(RoutingContext ctx, Throwable cause) {
    fail(ctx.request(), cause);
  }

  static void fail(HttpServerRequest request, Throwable cause) {
    if (cause != null && !(cause instanceof BrokerException)) {
      LOG.error("Unexpected failure on " + request.method() + " " + request.path(), cause);
    }
    send(request.response(), BrokerException.from(cause));
  }

  static void send(RoutingContext ctx, BrokerException error) {
    send(ctx.response(), error);
  }

  /** 401 with the challenge, for a request without an accepted API key. */
  static void unauthorized(HttpServerResponse response) {
    response.putHeader("WWW-Authenticate", "Bearer realm=\"token-broker\"");
    json(response, 401, new JsonObject().put("error", "unauthorized")
        .put("error_description", "a valid API key is required: Authorization: Bearer <api key>"));
  }

  static void send(HttpServerResponse response, BrokerException error) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (error.retryAfterSeconds() != null) {
      response.putHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
    }
    json(response, error.code().status(), error.toJson());
  }

  static void send(RoutingContext ctx, int status, String error, String description) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    json(ctx.response(), status, new JsonObject().put("error", error).put("error_description", description));
  }

  /** A JSON object or array, never cached (token replies carry secrets). */
  static void json(HttpServerResponse response, int status, Object body) {
    json(response, status, io.vertx.core.json.Json.encodeToBuffer(body));
  }

  /** JSON already encoded, never cached. */
  static void json(HttpServerResponse response, int status, Buffer body) {
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
        .end(body);
  }
}
