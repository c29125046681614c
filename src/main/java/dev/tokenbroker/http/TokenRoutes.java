package dev.tokenbroker.http;

import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.AccountLifecycle;
import dev.tokenbroker.service.BrokerServices;
import dev.tokenbroker.service.ProviderCatalog;
import dev.tokenbroker.service.TokenService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import dev.tokenbroker.accounts.AccountList;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.service.ImportedGrant;
import dev.tokenbroker.accounts.AccountQuery;
import dev.tokenbroker.auth.KeyScope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /v1/tokens}: the event-bus semantics over HTTP (actions read and refresh), plus the list,
 * import and delete (admin). Declared in {@link Routes}.
 */
final class TokenRoutes {
  /** The header with the cursor of the list's next page. */
  static final String NEXT_CURSOR = "Token-Broker-Next-Cursor";
  private final ProviderCatalog providers;
  private final TokenService service;
  private final AccountLifecycle accounts;
  private final TokenGet tokenGet;

  TokenRoutes(BrokerServices services, TokenGet tokenGet) {
    this.providers = services.providers();
    this.service = services.tokens();
    this.accounts = services.accounts();
    this.tokenGet = tokenGet;
  }

  /** {@code GET /v1/tokens/{provider}} in a form the {@link FastLane} leaves to the router. */
  void get(RoutingContext ctx) {
    tokenGet.serve(ctx.request(), ctx.pathParam("provider"), Gate.key(ctx));
  }

  /** {@code POST /v1/tokens/{provider}/refresh}: a forced rotation. */
  void refresh(RoutingContext ctx) {
    answer(ctx, KeyAction.REFRESH, key -> service.refresh(key, RotationReason.FORCED));
  }

  private void answer(RoutingContext ctx, KeyAction action, Function<TokenKey, Future<Token>> work) {
    Requests.respond(ctx, providers, action, work, token -> tokenGet.reply(ctx.response(), token));
  }

  /** {@code PUT}: imports a grant obtained elsewhere; answers like a get (the stored token, version and expiry). */
  void importGrant(RoutingContext ctx) {
    answer(ctx, KeyAction.ADMIN, key -> {
      JsonObject body;
      try {
        body = ctx.body().isEmpty() ? null : ctx.body().asJsonObject();
      } catch (RuntimeException e) {
        throw BrokerException.invalidRequest("the body is not a JSON object");
      }
      return accounts.importGrant(key, ImportedGrant.parse(body));
    });
  }

  /** {@code DELETE}: revokes where configured and forgets the account. */
  void forget(RoutingContext ctx) {
    Requests.respond(ctx, providers, KeyAction.ADMIN, accounts::disconnect,
        revoked -> HttpErrors.json(ctx.response(), 200, new JsonObject().put("revoked", revoked)));
  }

  /**
   * The stored accounts the key's scope covers, filtered and paged ({@link AccountQuery}): a JSON
   * array, as before paging; the next page's cursor is in {@code Token-Broker-Next-Cursor} and a
   * {@code Link: <...>; rel="next"} header.
   */
  void list(RoutingContext ctx) {
    AccountQuery query;
    KeyScope scope;
    try {
      scope = Gate.scope(ctx);
      Map<String, List<String>> values = new HashMap<>();
      ctx.queryParams().names().forEach(name -> values.put(name, ctx.queryParams().getAll(name)));
      query = AccountQuery.parse(values, providers.names());
    } catch (RuntimeException e) {
      HttpErrors.fail(ctx, e);
      return;
    }
    accounts.list(query, scope).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.fail(ctx, ar.cause());
        return;
      }
      AccountList.Page page = ar.result();
      if (page.nextCursor() != null) {
        ctx.response().putHeader(NEXT_CURSOR, page.nextCursor())
            .putHeader("Link", "<" + nextPage(ctx, page.nextCursor()) + ">; rel=\"next\"");
      }
      HttpErrors.json(ctx.response(), 200, new JsonArray(new ArrayList<>(page.accounts())));
    });
  }

  /** The same request's URI with the next page's cursor. */
  private static String nextPage(RoutingContext ctx, String cursor) {
    StringBuilder uri = new StringBuilder(ctx.request().path()).append("?");
    ctx.queryParams().forEach((name, value) -> {
      if (!name.equals("cursor")) {
        uri.append(encode(name)).append('=').append(encode(value)).append('&');
      }
    });
    return uri.append("cursor=").append(cursor).toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
