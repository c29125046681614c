package dev.tokenbroker.http;

import dev.tokenbroker.config.KeyAction;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.TokenService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Comparator;
import java.util.function.Function;

/**
 * {@code /v1/tokens}: the event-bus semantics over HTTP (actions read and refresh), plus the list
 * and delete (admin).
 */
final class TokenRoutes {
  private final TokenService service;
  private final TokenGet tokenGet;

  TokenRoutes(TokenService service, TokenGet tokenGet) {
    this.service = service;
    this.tokenGet = tokenGet;
  }

  void mount(Router router) {
    router.get("/v1/tokens").handler(ScopeCheck.action(KeyAction.ADMIN)).handler(this::list);
    // the common form of this path is served before the router (HotPath); any other form the router accepts comes here
    router.get("/v1/tokens/:provider").handler(ScopeCheck.action(KeyAction.READ))
        .handler(ctx -> tokenGet.serve(ctx.request(), ctx.pathParam("provider"), ScopeCheck.key(ctx)));
    router.post("/v1/tokens/:provider/refresh").handler(ScopeCheck.action(KeyAction.REFRESH))
        .handler(ctx -> answer(ctx, KeyAction.REFRESH, key -> service.refresh(key, RotationReason.FORCED)));
    router.delete("/v1/tokens/:provider").handler(ScopeCheck.action(KeyAction.ADMIN)).handler(this::forget);
  }

  private void answer(RoutingContext ctx, KeyAction action, Function<TokenKey, Future<Token>> work) {
    Requests.respond(ctx, service, action, work, token -> tokenGet.reply(ctx.response(), token));
  }

  private void forget(RoutingContext ctx) {
    Requests.respond(ctx, service, KeyAction.ADMIN, service::forget, v -> ctx.response().setStatusCode(204).end());
  }

  /** Every stored token, whatever the admin key's providers and accounts. */
  private void list(RoutingContext ctx) {
    Instant now = service.policy().now();
    JsonArray out = new JsonArray();
    service.store().cachedAll().stream()
        .sorted(Comparator.comparing((Token t) -> t.key().provider()).thenComparing(t -> t.key().account()))
        .forEach(t -> out.add(new JsonObject()
            .put("provider", t.key().provider())
            .put("account", t.key().account())
            .put("version", t.version())
            .put("expires_at", t.expiresAt().getEpochSecond())
            .put("state", state(t, now))
            .put("last_error", t.lastError())));
    HttpErrors.json(ctx.response(), 200, out);
  }

  private String state(Token t, Instant now) {
    if (t.authorizationRequired()) {
      return "authorization_required";
    }
    if (service.isRotating(t.key())) {
      return "refreshing";
    }
    return t.expiresAt().isAfter(now) ? "valid" : "expired";
  }
}
