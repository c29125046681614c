package dev.tokenbroker.http;

import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The one gate into the broker's HTTP side. Every request passes it, whichever way it is served -
 * before the router ({@link FastLane}: the token GET and the API proxy), through the router
 * ({@link Routes}), or as a message on the SockJS bridge ({@link EventBusBridge}):
 * <ol>
 *   <li>its API key is authenticated - once per connection and header ({@link ConnectionKeys}),
 *       or per message on the bridge - and a request without an accepted key is answered 401;</li>
 *   <li>the key's scope is held to the request's action and, once the request names it, to the
 *       token's provider and account; outside it the answer is 403 {@code forbidden} before
 *       anything happens;</li>
 *   <li>the request is metered and logged when it ends ({@link AccessLog}), with the key's name.</li>
 * </ol>
 * Nothing else in the HTTP side checks a key or a scope or logs a request. One per HTTP verticle
 * instance: its memory of connections belongs to that instance's event loop.
 */
final class Gate {
  private static final String KEY = "tokenbroker.api-key";

  private final ApiKeyAuth auth;
  private final ConnectionKeys keys;
  private final AccessLog log;

  Gate(ApiKeyAuth auth, AccessLog log) {
    this.auth = auth;
    this.keys = new ConnectionKeys(auth);
    this.log = log;
  }

  // --- requests served before the router

  /**
   * Lets {@code request} in for {@code action}: returns its key, or null after answering 401 or
   * 403. Either way the request is logged and metered when it ends; {@code whenAdmittedEnds} (or
   * null) then runs too, for an admitted request only.
   */
  ApiKey admit(HttpServerRequest request, KeyAction action, long startedNanos, Runnable whenAdmittedEnds) {
    Optional<ApiKey> key = keys.authenticate(request.connection(), request.getHeader(HttpHeaders.AUTHORIZATION));
    Optional<String> refusal = key.flatMap(k -> k.scope().refusal(action));
    boolean admitted = key.isPresent() && refusal.isEmpty();
    String keyName = key.map(ApiKey::name).orElse(null);
    request.response().endHandler(v -> {
      log.record(request, request.response().getStatusCode(), startedNanos, keyName);
      if (admitted && whenAdmittedEnds != null) {
        whenAdmittedEnds.run();
      }
    });
    if (key.isEmpty()) {
      HttpErrors.unauthorized(request.response());
    } else if (refusal.isPresent()) {
      HttpErrors.send(request.response(), forbidden(refusal.get()));
    }
    return admitted ? key.get() : null;
  }

  // --- the router

  /** The router's first handler: every routed request is metered and logged when it ends. */
  void log(RoutingContext ctx) {
    long started = System.nanoTime();
    ctx.addEndHandler(v -> {
      ApiKey key = ctx.get(KEY);
      log.record(ctx.request(), ctx.response().getStatusCode(), started, key == null ? null : key.name());
    });
    ctx.next();
  }

  /** {@code /v1/*} (but the OAuth callback): the request's key, remembered for its route; 401 without one. */
  void authenticate(RoutingContext ctx) {
    keys.authenticate(ctx.request().connection(), ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).ifPresentOrElse(key -> {
      ctx.put(KEY, key);
      ctx.next();
    }, () -> HttpErrors.unauthorized(ctx.response()));
  }

  /** A route's guard: the request's key must have {@code action}; 403 otherwise. */
  static Handler<RoutingContext> requires(KeyAction action) {
    return ctx -> {
      try {
        scope(ctx).refusal(action).ifPresentOrElse(why -> HttpErrors.send(ctx, forbidden(why)), ctx::next);
      } catch (BrokerException e) {
        HttpErrors.send(ctx, e);
      }
    };
  }

  /** The routed request's key; 403 when none was authenticated for it. */
  static ApiKey key(RoutingContext ctx) {
    ApiKey key = ctx.get(KEY);
    if (key == null) {
      throw forbidden("no API key was checked for this request");
    }
    return key;
  }

  /** The scope of the routed request's key; 403 when none was authenticated for it. */
  static KeyScope scope(RoutingContext ctx) {
    return key(ctx).scope();
  }

  // --- scope, wherever the key came from

  /** Throws 403 unless a key of {@code scope} may do {@code action} to the token {@code key}. */
  static void token(KeyScope scope, KeyAction action, TokenKey key) {
    scope.refusal(action, key.provider(), key.account()).ifPresent(why -> {
      throw forbidden(why);
    });
  }

  /** True when an event ({@code token.rotated}, {@code token.failed}...) is about a token in the scope. */
  static boolean delivers(KeyScope scope, Object event) {
    return event instanceof JsonObject body && body.getValue("provider") instanceof String provider
        && body.getValue("account") instanceof String account && scope.covers(provider, account);
  }

  static BrokerException forbidden(String why) {
    return new BrokerException(ErrorCode.FORBIDDEN, why);
  }

  // --- the SockJS bridge and connections

  /** The key an {@code authorization} header of a bridge message carries (no connection memory: each message says it). */
  Optional<ApiKey> authenticate(String authorizationHeader) {
    return auth.authenticate(authorizationHeader);
  }

  /** Forgets what was accepted on a closed connection. */
  void closed(HttpConnection connection) {
    keys.closed(connection);
  }
}
