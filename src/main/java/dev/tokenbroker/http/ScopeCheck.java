package dev.tokenbroker.http;

import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Holds each route to its API key's scope, for every route that needs one (tokens, onboarding,
 * events, the API proxy): {@link #action} guards a route, {@link #token} a token's
 * provider and account once the request names them. Both refuse with 403 {@code forbidden} before
 * anything happens; a request that reached the route without an authenticated key is refused too.
 */
final class ScopeCheck {
  private static final String KEY = "tokenbroker.api-key";

  private ScopeCheck() {}

  /** Called by the API-key check once it knows the key. */
  static void remember(RoutingContext ctx, ApiKey key) {
    ctx.put(KEY, key);
  }

  /** The configured name of the request's key, for the access log, or null before authentication. */
  static String keyName(RoutingContext ctx) {
    ApiKey key = ctx.get(KEY);
    return key == null ? null : key.name();
  }

  /** The scope of the request's key; forbidden when the request was not authenticated. */
  static KeyScope scope(RoutingContext ctx) {
    return key(ctx).scope();
  }

  /** The request's key; forbidden when the request was not authenticated. */
  static ApiKey key(RoutingContext ctx) {
    ApiKey key = ctx.get(KEY);
    if (key == null) {
      throw forbidden("no API key was checked for this request");
    }
    return key;
  }

  /** A route handler that lets the request on only when its key has {@code action}. */
  static Handler<RoutingContext> action(KeyAction action) {
    return ctx -> {
      try {
        scope(ctx).refusal(action).ifPresentOrElse(why -> HttpErrors.send(ctx, forbidden(why)), ctx::next);
      } catch (BrokerException e) {
        HttpErrors.send(ctx, e);
      }
    };
  }

  /** Throws forbidden unless the request's key may do {@code action} to the token {@code key}. */
  static void token(RoutingContext ctx, KeyAction action, TokenKey key) {
    token(scope(ctx), action, key);
  }

  /** The same for a key's scope known without a routing context (the hot path). */
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
}
