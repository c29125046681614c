package dev.tokenbroker.http;

import dev.tokenbroker.wire.TokenRequest;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.ProviderCatalog;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** Reading request values with the same rules as the event bus. */
final class Requests {
  private Requests() {}

  /**
   * The token key from the {provider} path parameter and the account query parameter: 404 for an
   * unknown provider, 400 for a bad account, 403 when the API key may not do {@code action} to it.
   */
  static TokenKey key(RoutingContext ctx, ProviderCatalog providers, KeyAction action) {
    return key(providers, ctx.pathParam("provider"), ctx.queryParams(), Gate.scope(ctx), action);
  }

  /** The same, from the provider's name, the query and the API key's scope. */
  static TokenKey key(ProviderCatalog providers, String provider, MultiMap query, KeyScope scope, KeyAction action) {
    providers.provider(provider);
    TokenKey key = new TokenKey(provider, TokenRequest.account(single(query, "account")));
    Gate.token(scope, action, key);
    return key;
  }

  /**
   * Runs {@code work} for the request's token key once the API key's scope covers {@code action}
   * on it, and answers with {@code onSuccess}; any failure, thrown or returned, becomes the
   * contract's error.
   */
  static <T> void respond(RoutingContext ctx, ProviderCatalog providers, KeyAction action, Function<TokenKey, Future<T>> work, Consumer<T> onSuccess) {
    Future<T> result;
    try {
      result = work.apply(key(ctx, providers, action));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        onSuccess.accept(ar.result());
      } else {
        HttpErrors.fail(ctx, ar.cause());
      }
    });
  }

  /** A query value given at most once. */
  static String single(MultiMap query, String name) {
    List<String> values = query.getAll(name);
    if (values.size() > 1) {
      throw BrokerException.invalidRequest(name + " may be given only once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** A whole-number query value as a Long, or null when absent. */
  static Long number(MultiMap query, String name) {
    String value = single(query, name);
    if (value == null) {
      return null;
    }
    if (!value.matches("-?[0-9]{1,15}")) {
      throw BrokerException.invalidRequest(name + " must be a whole number");
    }
    return Long.parseLong(value);
  }
}
