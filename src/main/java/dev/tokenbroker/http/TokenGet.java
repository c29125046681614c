package dev.tokenbroker.http;

import dev.tokenbroker.wire.TokenRequest;
import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.service.BrokerServices;
import dev.tokenbroker.service.ProviderCatalog;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code GET /v1/tokens/{provider}}: token.get over HTTP, for a request whose API key is known and
 * allows {@code read}. Reached from {@link FastLane} (the common form of the path, before the
 * router) and from {@link TokenRoutes} (any other form the router accepts); the reply's bytes
 * come from {@link ReplyBodies}. One per HTTP verticle instance.
 */
final class TokenGet {
  private final ProviderCatalog providers;
  private final TokenService service;
  private final ReplyBodies replies = new ReplyBodies();

  TokenGet(BrokerServices services) {
    this.providers = services.providers();
    this.service = services.tokens();
  }

  void serve(HttpServerRequest request, String provider, ApiKey apiKey) {
    Future<Token> result;
    try {
      MultiMap query = request.params();
      TokenKey key = Requests.key(providers, provider, query, apiKey.scope(), KeyAction.READ);
      result = service.get(key, TokenRequest.minValidity(Requests.number(query, "min_validity")),
          TokenRequest.rejectedVersion(Requests.number(query, "rejected_version")));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        reply(request.response(), ar.result());
      } else {
        HttpErrors.fail(request, ar.cause());
      }
    });
  }

  /** 200 with the contract's token reply. */
  void reply(HttpServerResponse response, Token token) {
    HttpErrors.json(response, 200, replies.body(token, service.now()));
  }
}
